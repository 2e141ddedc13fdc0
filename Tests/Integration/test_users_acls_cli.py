"""`barge users` and `barge acls` against a running secured broker: users
added, listed and deleted through AlterUserScramCredentials and
DescribeUserScramCredentials, ACLs added, listed and removed through
CreateAcls, DescribeAcls and DeleteAcls, over SASL_SSL as the super user;
refusals exit 77, and no password is printed."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest
from confluent_kafka import Producer

from conftest import barge_bin
from secure_broker import AUTHORIZER, USERS, Login, SecureBroker, start_secure_broker
from tls_material import make_tls_material

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def broker(tmp_path_factory) -> SecureBroker:
    tls = make_tls_material(tmp_path_factory.mktemp("tls"))
    b = start_secure_broker(tmp_path_factory.mktemp("users-acls-broker"), tls, {
        "authorizer.class.name": AUTHORIZER, "super.users": "User:admin",
    })
    yield b
    b.stop()


def as_user(broker: SecureBroker, tmp_path, user: str) -> list[str]:
    """The connection flags of `user` over SASL_SSL with SCRAM-SHA-512 (its password in a file)."""
    password = tmp_path / f"{user}.sasl"
    password.write_text(USERS.get(user, "not-a-password") + "\n")
    return ["--bootstrap-servers", broker.address("SASL_SSL"), "--security-protocol", "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512",
            "--sasl-username", user, "--sasl-password-file", str(password), "--ssl-ca-location", str(broker.tls.ca)]


def barge(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([barge_bin(), *args], capture_output=True, timeout=60)
    for secret in USERS.values():
        assert secret.encode() not in result.stdout + result.stderr
    return result


def test_users_added_listed_and_deleted_on_a_running_broker(broker, tmp_path):
    user = f"camera-{uuid.uuid4().hex[:6]}"
    new_password = tmp_path / "new.password"
    new_password.write_text("camera-secret-pw\n")
    admin = as_user(broker, tmp_path, "admin")
    added = barge("users", "add", user, "--password-file", str(new_password), "--mechanism", "SCRAM-SHA-256", *admin)
    assert added.returncode == 0, added.stderr.decode()
    listed = barge("users", "list", "--json", *admin)
    assert listed.returncode == 0, listed.stderr.decode()
    rows = {row["user"]: row for row in map(json.loads, listed.stdout.decode().splitlines())}
    assert rows[user]["mechanisms"] == ["SCRAM-SHA-256"]
    assert {"admin", "alice", "bob"} <= set(rows)

    # The new user logs in with its password, through librdkafka.
    login = Login("SASL_SSL", "SCRAM-SHA-256", user)
    conf = dict(login.librdkafka(broker), **{"sasl.password": "camera-secret-pw"})
    producer = Producer(conf)
    assert producer.list_topics(timeout=15) is not None

    assert barge("users", "delete", user, *admin).returncode == 0
    again = barge("users", "delete", user, *admin)
    assert again.returncode == 1 and f"no user {user}" in again.stderr.decode()


def test_a_user_without_alter_on_the_cluster_is_refused_with_77(broker, tmp_path):
    password = tmp_path / "p"
    password.write_text("whatever-pw\n")
    result = barge("users", "add", "mallory", "--password-file", str(password), *as_user(broker, tmp_path, "alice"))
    assert result.returncode == 77, result.stderr.decode()
    assert "not authorized" in result.stderr.decode()
    listed = barge("users", "list", *as_user(broker, tmp_path, "admin"))
    assert "mallory" not in listed.stdout.decode()


def test_a_wrong_password_exits_77(broker, tmp_path):
    flags = as_user(broker, tmp_path, "admin")
    flags[flags.index("--sasl-password-file") + 1] = str(tmp_path / "wrong")
    (tmp_path / "wrong").write_text("wrong-pw\n")
    for command in (["users", "list"], ["acls", "list"]):
        result = barge(*command, *flags)
        assert result.returncode == 77, (command, result.stderr.decode())
        assert "authentication failed" in result.stderr.decode()


def test_acls_added_listed_and_removed(broker, tmp_path):
    topic = f"frames-{uuid.uuid4().hex[:6]}"
    admin = as_user(broker, tmp_path, "admin")
    added = barge("acls", "add", "--allow-principal", "User:alice", "--operation", "Write", "--operation", "Describe",
                  "--topic", topic, "--resource-pattern-type", "prefixed", *admin)
    assert added.returncode == 0, added.stderr.decode()
    assert added.stdout.decode().count("added:") == 2

    listed = barge("acls", "list", "--topic", topic + "-camera-1", "--resource-pattern-type", "match", "--json", *admin)
    assert listed.returncode == 0, listed.stderr.decode()
    rows = [json.loads(line) for line in listed.stdout.decode().splitlines()]
    assert {(r["principal"], r["operation"], r["patternType"]) for r in rows} == {
        ("User:alice", "WRITE", "PREFIXED"), ("User:alice", "DESCRIBE", "PREFIXED")}

    # alice writes under the prefix now (the admin creates the topic: alice may not).
    created = barge("topics", "create", topic + "-camera-1", "--partitions", "1", *admin)
    assert created.returncode == 0, created.stderr.decode()
    producer = Producer(Login("SASL_SSL", "SCRAM-SHA-512", "alice").librdkafka(broker))
    errors = []
    producer.produce(topic + "-camera-1", b"frame", on_delivery=lambda err, _msg: errors.append(err))
    assert producer.flush(30) == 0 and errors == [None]

    refused = barge("acls", "add", "--allow-principal", "User:alice", "--operation", "All", "--cluster", *as_user(broker, tmp_path, "alice"))
    assert refused.returncode == 77, refused.stderr.decode()

    removed = barge("acls", "remove", "--principal", "User:alice", "--topic", topic, "--resource-pattern-type", "prefixed", *admin)
    assert removed.returncode == 0 and removed.stdout.decode().count("removed:") == 2, removed.stdout.decode()
    after = barge("acls", "list", "--principal", "User:alice", "--topic", topic, *admin)
    assert after.returncode == 0 and after.stdout.decode().strip() == ""


@pytest.mark.parametrize("flags,expected", [
    (["--operation", "Read", "--topic", "t"], "pass --allow-principal or --deny-principal"),
    (["--allow-principal", "User:a", "--topic", "t"], "pass --operation"),
    (["--allow-principal", "User:a", "--operation", "Read"], "name the resource"),
    (["--allow-principal", "User:a", "--operation", "Fly", "--topic", "t"], "--operation must be one of"),
    (["--allow-principal", "alice", "--operation", "Read", "--topic", "t"], "principalType:principalName"),
    (["--allow-principal", "User:a", "--operation", "Read", "--topic", "t", "--group", "g"], "name one resource"),
    (["--allow-principal", "User:a", "--operation", "Read", "--topic", "t", "--resource-pattern-type", "match"], "Invalid patternType"),
])
def test_bad_acl_flags_are_usage_errors(flags, expected):
    result = barge("acls", "add", *flags, "--bootstrap-servers", "127.0.0.1:1")
    assert result.returncode == 64, result.stderr.decode()
    assert expected in result.stderr.decode()


def test_a_running_brokers_data_directory_is_locked(broker, tmp_path):
    """Its users are changed through it, not in its files; a second broker on it stops at once with why."""
    password = tmp_path / "p"
    password.write_text("offline-secret-pw\n")
    data_dir = str(broker.data_dir)
    refused = barge("users", "add", "mallory", "--data-dir", data_dir, "--password-file", str(password))
    assert refused.returncode != 0
    [line] = [line for line in refused.stderr.decode().splitlines() if line.startswith("Error: ")]
    assert "is in use: a running broker holds" in line and "--bootstrap-servers" in line, line
    assert "mallory" not in broker.list_users(), "listing works on a running broker, and nothing was added"
    second = subprocess.run([barge_bin(), "broker", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
                            capture_output=True, timeout=60)
    assert second.returncode != 0
    assert f"the data directory {data_dir} is in use" in second.stderr.decode(), second.stderr.decode()
