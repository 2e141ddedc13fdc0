#!/usr/bin/env python3
"""Generates Swift codecs for Kafka messages from Kafka's JSON schemas.

Usage: Tools/generate-kafka-messages.py [--schemas DIR] [--output DIR] [--check]

Reads the schema files named in MESSAGES (and every request schema for the API
key table) and writes one Swift file per message into
Sources/KafkaProtocol/Messages. With --check it writes nothing and exits 1 if
any generated file would differ from the committed one.
"""
import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SCHEMAS = os.path.join(os.path.dirname(ROOT), "shared", "kafka-protocol", "message")
DEFAULT_OUTPUT = os.path.join(ROOT, "Sources", "KafkaProtocol", "Messages")
SAMPLES_OUTPUT = os.path.join(ROOT, "Tests", "KafkaProtocolTests", "Generated", "GeneratedMessageSamples.swift")

# The APIs the broker serves (both request and response are generated).
APIS = [
    "ApiVersions", "Metadata", "Produce", "Fetch", "ListOffsets", "CreateTopics", "DeleteTopics",
    "DescribeConfigs", "InitProducerId", "FindCoordinator", "JoinGroup", "SyncGroup", "Heartbeat",
    "LeaveGroup", "OffsetCommit", "OffsetFetch", "ListGroups", "DescribeGroups", "DeleteGroups",
    "OffsetDelete", "SaslHandshake", "CreatePartitions", "DeleteRecords", "DescribeCluster",
    "OffsetForLeaderEpoch", "DescribeLogDirs", "AlterConfigs", "IncrementalAlterConfigs",
    "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "TxnOffsetCommit", "DescribeProducers",
    "DescribeTransactions", "ListTransactions", "SaslAuthenticate", "CreateAcls", "DescribeAcls", "DeleteAcls",
    "AlterUserScramCredentials", "DescribeUserScramCredentials",
]
MESSAGES = ["RequestHeader", "ResponseHeader", "ConsumerProtocolSubscription", "ConsumerProtocolAssignment"] + [
    api + kind for api in APIS for kind in ("Request", "Response")
]

SWIFT_KEYWORDS = {"protocol", "default", "internal", "operator", "repeat", "static", "switch", "case", "class",
                  "struct", "enum", "func", "import", "in", "is", "let", "var", "where", "while", "self", "Type",
                  "throws", "return", "extension", "public", "private", "subscript", "init", "deinit", "do",
                  "for", "if", "else", "guard", "break", "continue", "defer", "fallthrough", "try", "as", "any"}

PRIMITIVES = {
    "bool": ("Bool", "false"),
    "int8": ("Int8", "0"),
    "int16": ("Int16", "0"),
    "uint16": ("UInt16", "0"),
    "int32": ("Int32", "0"),
    "uint32": ("UInt32", "0"),
    "int64": ("Int64", "0"),
    "float64": ("Double", "0"),
    "string": ("String", '""'),
    "bytes": ("ByteBuffer", "ByteBuffer()"),
    "uuid": ("KafkaUUID", ".zero"),
    "records": ("KafkaRecords", "KafkaRecords()"),
}
READERS = {
    "bool": "readKafkaBool()", "int8": "readKafkaInt8()", "int16": "readKafkaInt16()",
    "uint16": "readKafkaUInt16()", "int32": "readKafkaInt32()", "uint32": "readKafkaUInt32()",
    "int64": "readKafkaInt64()", "float64": "readKafkaFloat64()", "uuid": "readKafkaUUID()",
}
WRITERS = {
    "bool": "writeBool", "int8": "writeInt8", "int16": "writeInt16", "uint16": "writeUInt16",
    "int32": "writeInt32", "uint32": "writeUInt32", "int64": "writeInt64", "float64": "writeFloat64",
    "uuid": "writeUUID",
}


def load_schema(path):
    with open(path) as handle:
        text = "\n".join(line for line in handle.read().splitlines() if not line.strip().startswith("//"))
    return json.loads(text)


class Versions:
    """A version range such as "0+", "1-3" or "none"."""

    def __init__(self, text, default_high=None):
        text = (text or "none").strip()
        if text == "none":
            self.low, self.high = None, None
        elif text.endswith("+"):
            self.low, self.high = int(text[:-1]), None
        elif "-" in text:
            low, high = text.split("-")
            self.low, self.high = int(low), int(high)
        else:
            self.low = self.high = int(text)

    @property
    def empty(self):
        return self.low is None

    def contains(self, version):
        return not self.empty and version >= self.low and (self.high is None or version <= self.high)

    def condition(self, valid_low, valid_high):
        """A Swift condition on `version` true exactly in this range, within the valid versions."""
        if self.empty:
            return "false"
        parts = []
        if self.low > valid_low:
            parts.append(f"version >= {self.low}")
        if self.high is not None and self.high < valid_high:
            parts.append(f"version <= {self.high}")
        return " && ".join(parts) if parts else "true"


def lower_camel(name):
    result = name[0].lower() + name[1:]
    match = re.match(r"^([A-Z]+)([A-Z][a-z].*)$", name)
    if match:
        result = match.group(1).lower() + match.group(2)
    elif name.isupper():
        result = name.lower()
    return f"`{result}`" if result in SWIFT_KEYWORDS else result


def doc_text(text):
    return " ".join((text or "").split())


class Generator:
    def __init__(self, schema):
        self.schema = schema
        self.name = schema["name"]
        low, high = schema["validVersions"].split("-") if "-" in schema["validVersions"] else (schema["validVersions"], schema["validVersions"])
        self.valid_low, self.valid_high = int(low), int(high)
        self.flexible = Versions(schema.get("flexibleVersions", "none"))
        self.common = {s["name"]: s for s in schema.get("commonStructs", [])}
        self.lines = []

    def emit(self, line=""):
        self.lines.append(line)
        if line.endswith("}") and line.strip() == "}" and getattr(self, "flexible_line", None) is not None \
                and len(line) - len(line.lstrip()) < len(self.lines[self.flexible_line]) - len(self.lines[self.flexible_line].lstrip()):
            # A function just closed: drop its `flexible` constant if nothing used it.
            if not any("flexible" in body for body in self.lines[self.flexible_line + 1:]):
                del self.lines[self.flexible_line]
            self.flexible_line = None

    # Field helpers ---------------------------------------------------------
    def field_type(self, field):
        kind = field["type"]
        if kind.startswith("[]"):
            element = kind[2:]
            return f"[{PRIMITIVES[element][0] if element in PRIMITIVES else element}]"
        return PRIMITIVES[kind][0] if kind in PRIMITIVES else kind

    def is_nullable(self, field):
        return not Versions(field.get("nullableVersions")).empty

    def swift_type(self, field):
        base = self.field_type(field)
        return base + "?" if self.is_nullable(field) else base

    def default_value(self, field):
        kind = field["type"]
        default = field.get("default")
        if default is not None and not isinstance(default, str):
            default = str(default).lower()
        nullable = self.is_nullable(field)
        if default == "null":
            return "nil"
        if kind.startswith("[]"):
            return "[]"
        if kind not in PRIMITIVES:
            return "nil" if nullable else f"{kind}()"
        if default is None or default == "":
            if kind == "string" and default == "":
                return '""'
            return PRIMITIVES[kind][1]
        if kind == "bool":
            return "true" if default == "true" else "false"
        if kind == "string":
            return json.dumps(default)
        if default.lower().startswith("0x"):
            return str(int(default, 16))
        return default

    def versions_of(self, field):
        return Versions(field["versions"])

    def tagged_in(self, field):
        return Versions(field.get("taggedVersions")) if "tag" in field else Versions("none")

    def compact_expr(self, field):
        """Swift expression telling whether this field uses compact encoding."""
        if field.get("flexibleVersions") == "none":
            return "false"
        return "flexible"

    # Declarations ------------------------------------------------------------
    def collect_structs(self, fields, out, low, high):
        """Every struct type used under `fields`, with the versions in which it can appear."""
        for field in fields:
            versions = self.versions_of(field)
            field_low = max(low, versions.low if versions.low is not None else low)
            field_high = min(high, versions.high if versions.high is not None else high)
            element = field["type"][2:] if field["type"].startswith("[]") else field["type"]
            if "fields" in field:
                out.append((element, field["fields"], field.get("about", ""), field_low, field_high))
                self.collect_structs(field["fields"], out, field_low, field_high)
            elif element in self.common and element not in [entry[0] for entry in out]:
                out.append((element, self.common[element]["fields"], "", self.valid_low, self.valid_high))
                self.collect_structs(self.common[element]["fields"], out, self.valid_low, self.valid_high)
        return out

    def generate(self):
        schema = self.schema
        kind = schema["type"]
        about = f"Kafka's `{self.name}`"
        if "apiKey" in schema:
            about += f" (API key {schema['apiKey']})"
        self.emit("// Generated by Tools/generate-kafka-messages.py from Kafka's")
        self.emit(f"// {self.name}.json schema. Do not edit: change the generator and run it again.")
        self.emit("import NIOCore")
        self.emit()
        self.emit(f"/// {about}, versions {self.valid_low}-{self.valid_high}" +
                  (f", flexible from {self.flexible.low}." if not self.flexible.empty else ", never flexible."))
        conformance = "KafkaMessage"
        self.emit(f"public struct {self.name}: {conformance} {{")
        if "apiKey" in schema:
            self.emit(f"    public static let apiKey: Int16 = {schema['apiKey']}")
        self.emit(f"    public static let versions: ClosedRange<Int16> = {self.valid_low}...{self.valid_high}")
        self.emit(f"    public static let firstFlexibleVersion: Int16? = {'nil' if self.flexible.empty else self.flexible.low}")
        self.emit()
        self.emit_body(schema["fields"], "    ", top=True)
        structs = self.collect_structs(schema["fields"], [], self.valid_low, self.valid_high)
        seen = set()
        message_range = (self.valid_low, self.valid_high)
        for struct_name, fields, struct_about, low, high in structs:
            if struct_name in seen:
                continue
            seen.add(struct_name)
            # Inside a struct, a version condition only needs to hold where the struct appears.
            self.valid_low, self.valid_high = low, high
            self.emit()
            if struct_about:
                self.emit(f"    /// {doc_text(struct_about)}")
            self.emit(f"    public struct {struct_name}: Sendable, Equatable {{")
            self.emit_body(fields, "        ", top=False)
            self.emit("    }")
        self.valid_low, self.valid_high = message_range
        self.emit("}")
        return "\n".join(self.lines) + "\n"

    def emit_body(self, fields, indent, top):
        for field in fields:
            versions = self.versions_of(field)
            notes = f"Versions {field['versions']}"
            if self.is_nullable(field):
                notes += f", nullable {field['nullableVersions']}"
            if "tag" in field:
                notes += f", tagged ({field['tag']}) {field.get('taggedVersions')}"
            about = doc_text(field.get("about"))
            self.emit(f"{indent}/// {about + ' ' if about else ''}{notes}.")
            self.emit(f"{indent}public var {lower_camel(field['name'])}: {self.swift_type(field)} = {self.default_value(field)}")
        self.emit()
        self.emit(f"{indent}public init() {{}}")
        self.emit()
        self.emit_decode(fields, indent, top)
        self.emit()
        self.emit_encode(fields, indent, top)

    # Decoding ---------------------------------------------------------------
    def read_expr(self, field, kind=None, buffer="buffer"):
        kind = kind or field["type"]
        compact = self.compact_expr(field)
        nullable = self.is_nullable(field)
        if kind.startswith("[]"):
            element = kind[2:]
            element_read = self.element_read(field, element)
            method = "readKafkaNullableArray" if nullable else "readKafkaArray"
            return f"try {buffer}.{method}(compact: {compact}) {{ {element_read} }}"
        if kind in READERS:
            return f"try {buffer}.{READERS[kind]}"
        if kind == "string":
            return f"try {buffer}.{'readKafkaNullableString' if nullable else 'readKafkaString'}(compact: {compact})"
        if kind == "bytes":
            return f"try {buffer}.{'readKafkaNullableBytes' if nullable else 'readKafkaBytes'}(compact: {compact})"
        if kind == "records":
            read = f"try {buffer}.readKafkaRecords(compact: {compact})"
            return read if nullable else f"({read} ?? KafkaRecords())"
        if nullable:
            return f"try {buffer}.readKafkaInt8() < 0 ? nil : {kind}(from: &{buffer}, version: version)"
        return f"try {kind}(from: &{buffer}, version: version)"

    def element_read(self, field, element):
        compact = self.compact_expr(field)
        if element in READERS:
            return f"try $0.{READERS[element]}"
        if element == "string":
            return f"try $0.readKafkaString(compact: {compact})"
        if element == "bytes":
            return f"try $0.readKafkaBytes(compact: {compact})"
        return f"try {element}(from: &$0, version: version)"

    def emit_decode(self, fields, indent, top):
        self.emit(f"{indent}/// Decodes the message as written at `version`.")
        self.emit(f"{indent}public init(from buffer: inout ByteBuffer, version: Int16) throws {{")
        inner = indent + "    "
        if top:
            self.emit(f"{inner}guard Self.versions.contains(version) else {{")
            self.emit(f"{inner}    throw KafkaProtocolError.unsupportedVersion(\"{self.name}\", version)")
            self.emit(f"{inner}}}")
        self.flexible_line = len(self.lines)
        self.emit(f"{inner}let flexible = {self.flexible_condition()}")
        tagged = []
        for field in fields:
            name = lower_camel(field["name"])
            if "tag" in field:
                tagged.append(field)
                continue
            condition = self.versions_of(field).condition(self.valid_low, self.valid_high)
            read = self.read_expr(field)
            if condition == "true":
                self.emit(f"{inner}{name} = {read}")
            elif condition != "false":
                self.emit(f"{inner}if {condition} {{ {name} = {read} }}")
        if self.flexible_condition() == "false":
            self.emit(f"{indent}}}")
            return
        self.emit(f"{inner}if flexible {{")
        if tagged:
            self.emit(f"{inner}    try buffer.readKafkaTaggedFields {{ tag, data in")
            self.emit(f"{inner}        switch tag {{")
            for field in tagged:
                condition = self.tag_condition(field)
                where = "" if condition == "true" else f" where {condition}"
                self.emit(f"{inner}        case {field['tag']}{where}: {lower_camel(field['name'])} = {self.read_expr(field, buffer='data')}")
            self.emit(f"{inner}        default: break")
            self.emit(f"{inner}        }}")
            self.emit(f"{inner}    }}")
        else:
            self.emit(f"{inner}    try buffer.readKafkaTaggedFields {{ _, _ in }}")
        self.emit(f"{inner}}}")
        self.emit(f"{indent}}}")

    def flexible_condition(self):
        if self.flexible.empty:
            return "false"
        return "true" if self.flexible.low <= self.valid_low else f"version >= {self.flexible.low}"

    def tag_condition(self, field):
        tagged = self.tagged_in(field)
        versions = self.versions_of(field)
        parts = [c for c in (tagged.condition(self.valid_low, self.valid_high), versions.condition(self.valid_low, self.valid_high)) if c != "true"]
        unique = []
        for part in parts:
            if part not in unique:
                unique.append(part)
        return " && ".join(unique) if unique else "true"

    # Encoding ---------------------------------------------------------------
    def write_stmt(self, field, value, encoder="encoder"):
        kind = field["type"]
        compact = self.compact_expr(field)
        nullable = self.is_nullable(field)
        if kind.startswith("[]"):
            element = kind[2:]
            method = "writeNullableArray" if nullable else "writeArray"
            throws = "" if element in WRITERS or element == "bytes" else "try "
            return f"{throws}{encoder}.{method}({value}, compact: {compact}) {{ {self.element_write(field, element)} }}"
        if kind in WRITERS:
            return f"{encoder}.{WRITERS[kind]}({value})"
        if kind == "string":
            return f"try {encoder}.{'writeNullableString' if nullable else 'writeString'}({value}, compact: {compact})"
        if kind == "bytes":
            return f"{encoder}.{'writeNullableBytes' if nullable else 'writeBytes'}({value}, compact: {compact})"
        if kind == "records":
            return f"{encoder}.writeRecords({value}, compact: {compact})"
        if nullable:
            return (f"if let value = {value} {{ {encoder}.writeInt8(1); try value.encode(to: &{encoder}, version: version) }}"
                    f" else {{ {encoder}.writeInt8(-1) }}")
        return f"try {value}.encode(to: &{encoder}, version: version)"

    def element_write(self, field, element):
        compact = self.compact_expr(field)
        if element in WRITERS:
            return f"$0.{WRITERS[element]}($1)"
        if element == "string":
            return f"try $0.writeString($1, compact: {compact})"
        if element == "bytes":
            return f"$0.writeBytes($1, compact: {compact})"
        return f"try $1.encode(to: &$0, version: version)"

    def differs_from_default(self, field, name):
        kind = field["type"]
        default = self.default_value(field)
        if kind == "records":
            return f"{name}.byteCount != 0" if not self.is_nullable(field) else f"{name} != nil"
        if kind == "bytes" and not self.is_nullable(field):
            return f"{name}.readableBytes != 0"
        if kind.startswith("[]") and default == "[]":
            return f"!{name}.isEmpty" if not self.is_nullable(field) else f"{name} != []"
        return f"{name} != {default}"

    def emit_encode(self, fields, indent, top):
        self.emit(f"{indent}/// Encodes the message as written at `version`.")
        self.emit(f"{indent}public func encode(to encoder: inout KafkaEncoder, version: Int16) throws {{")
        inner = indent + "    "
        if top:
            self.emit(f"{inner}guard Self.versions.contains(version) else {{")
            self.emit(f"{inner}    throw KafkaProtocolError.unsupportedVersion(\"{self.name}\", version)")
            self.emit(f"{inner}}}")
        self.flexible_line = len(self.lines)
        self.emit(f"{inner}let flexible = {self.flexible_condition()}")
        tagged = []
        for field in fields:
            name = lower_camel(field["name"])
            if "tag" in field:
                tagged.append(field)
                continue
            condition = self.versions_of(field).condition(self.valid_low, self.valid_high)
            write = self.write_stmt(field, name)
            nullable_versions = Versions(field.get("nullableVersions"))
            if condition == "true":
                self.emit(f"{inner}{self.null_check(field, name, nullable_versions)}{write}")
            elif condition != "false":
                self.emit(f"{inner}if {condition} {{")
                self.emit(f"{inner}    {self.null_check(field, name, nullable_versions)}{write}")
                if not field.get("ignorable", False):
                    self.emit(f"{inner}}} else if {self.differs_from_default(field, name)} {{")
                    self.emit(f"{inner}    throw KafkaProtocolError(.invalidValue, \"{self.name}.{name.strip('`')} is not in version \\(version)\")")
                self.emit(f"{inner}}}")
            elif not field.get("ignorable", False):
                self.emit(f"{inner}if {self.differs_from_default(field, name)} {{")
                self.emit(f"{inner}    throw KafkaProtocolError(.invalidValue, \"{self.name}.{name.strip('`')} is not in version \\(version)\")")
                self.emit(f"{inner}}}")
        if self.flexible_condition() == "false":
            self.emit(f"{indent}}}")
            return
        self.emit(f"{inner}if flexible {{")
        if tagged:
            self.emit(f"{inner}    var tagged: [(tag: UInt32, encode: (inout KafkaEncoder) throws -> Void)] = []")
            for field in tagged:
                name = lower_camel(field["name"])
                condition = self.tag_condition(field)
                guard = self.differs_from_default(field, name)
                if condition != "true":
                    guard = f"{condition}, {guard}"
                self.emit(f"{inner}    if {guard} {{")
                self.emit(f"{inner}        tagged.append(({field['tag']}, {{ encoder in {self.write_stmt(field, name)} }}))")
                self.emit(f"{inner}    }}")
            self.emit(f"{inner}    try encoder.writeTaggedFields(tagged)")
        else:
            self.emit(f"{inner}    encoder.writeEmptyTaggedFields()")
        self.emit(f"{inner}}}")
        self.emit(f"{indent}}}")

    def null_check(self, field, name, nullable_versions):
        if not self.is_nullable(field):
            return ""
        always = nullable_versions.condition(self.valid_low, self.valid_high) == "true" and \
            self.versions_of(field).low >= (nullable_versions.low or 0)
        if always:
            return ""
        condition = nullable_versions.condition(self.valid_low, self.valid_high)
        return (f"if {name} == nil && !({condition}) {{ throw KafkaProtocolError(.invalidValue, "
                f"\"{self.name}.{name.strip('`')} is null, which version \\(version) does not allow\") }}; ")


class SampleGenerator(Generator):
    """Writes, for tests, a function per message that fills every field present
    at a version with a value other than its default."""

    def sample_value(self, field, kind, depth):
        nullable_struct = False
        if kind.startswith("[]"):
            element = kind[2:]
            if element in PRIMITIVES:
                one = self.sample_value(field, element, depth)
                return f"[{one}, {one}]"
            return f"[{self.struct_sample(element)}(version: version), {self.struct_sample(element)}(version: version)]"
        if kind in PRIMITIVES:
            name = field["name"]
            return {
                "bool": "true" if self.default_value(field) == "false" else "false",
                "int8": "7", "int16": "1_234", "uint16": "40_000", "int32": "123_456", "uint32": "3_000_000_000",
                "int64": "9_876_543_210", "float64": "0.25",
                "string": json.dumps("sample-" + name),
                "bytes": f"ByteBuffer(string: {json.dumps('bytes-' + name)})",
                "uuid": "KafkaUUID(high: 0x1122_3344_5566_7788, low: 0x99AA_BBCC_DDEE_FF00)",
                "records": "KafkaRecords(bytes: ByteBuffer(bytes: [0, 1, 2, 3, 4, 5, 6, 7]))",
            }[kind]
        return f"{self.struct_sample(kind)}(version: version)"

    def struct_sample(self, struct_name):
        return f"sample{self.name}{struct_name}"

    def emit_sample(self, fields, function, type_name, low, high):
        self.valid_low, self.valid_high = low, high
        self.emit(f"    static func {function}(version: Int16) -> {type_name} {{")
        self.emit(f"        var sample = {type_name}()")
        for field in fields:
            name = lower_camel(field["name"])
            condition = self.tag_condition(field) if "tag" in field else self.versions_of(field).condition(low, high)
            if condition == "false":
                continue
            value = self.sample_value(field, field["type"], 0)
            if condition == "true":
                self.emit(f"        sample.{name} = {value}")
            else:
                self.emit(f"        if {condition} {{ sample.{name} = {value} }}")
        self.emit("        return sample")
        self.emit("    }")

    def generate_samples(self):
        message_range = (self.valid_low, self.valid_high)
        self.emit_sample(self.schema["fields"], f"sample{self.name}", self.name, *message_range)
        seen = set()
        for struct_name, fields, _, low, high in self.collect_structs(self.schema["fields"], [], *message_range):
            if struct_name in seen:
                continue
            seen.add(struct_name)
            self.emit_sample(fields, self.struct_sample(struct_name), f"{self.name}.{struct_name}", low, high)
        self.valid_low, self.valid_high = message_range
        return self.lines


def generate_samples_file(schemas_dir):
    lines = [
        "// Generated by Tools/generate-kafka-messages.py. Do not edit.",
        "import KafkaProtocol",
        "import NIOCore",
        "",
        "/// Messages with every field of a version set to a value other than its default.",
        "enum GeneratedMessageSamples {",
        "    /// For each generated message: its name, versions, and a check that encodes",
        "    /// the sample at a version, decodes it, and compares.",
        "    static let all: [(name: String, versions: ClosedRange<Int16>, sample: @Sendable (Int16) -> any KafkaMessage)] = [",
    ]
    for name in MESSAGES:
        lines.append(f"        (\"{name}\", {name}.versions, {{ sample{name}(version: $0) }}),")
    lines.append("    ]")
    lines.append("")
    for name in MESSAGES:
        generator = SampleGenerator(load_schema(os.path.join(schemas_dir, name + ".json")))
        lines.extend(generator.generate_samples())
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate_api_keys(schemas_dir):
    """The table of every API key with its name and request versions."""
    rows = []
    for file in sorted(os.listdir(schemas_dir)):
        if not file.endswith("Request.json"):
            continue
        schema = load_schema(os.path.join(schemas_dir, file))
        if schema.get("type") != "request" or "apiKey" not in schema:
            continue
        valid = schema["validVersions"]
        low, high = valid.split("-") if "-" in valid else (valid, valid)
        flexible = Versions(schema.get("flexibleVersions", "none"))
        name = schema["name"][: -len("Request")]
        rows.append((schema["apiKey"], name, int(low), int(high), flexible.low))
    rows.sort()
    lines = [
        "// Generated by Tools/generate-kafka-messages.py from Kafka's request schemas.",
        "// Do not edit: change the generator and run it again.",
        "",
        "extension KafkaApiKey {",
    ]
    for key, name, _, _, _ in rows:
        lines.append(f"    /// {name} (API key {key}).")
        lines.append(f"    public static let {lower_camel(name).strip('`')} = KafkaApiKey({key})")
    lines.append("")
    lines.append("    /// Every API Kafka defines: name, versions of its schema, first flexible version.")
    lines.append("    public static let catalog: [KafkaApiKey: KafkaApiDescription] = [")
    for key, name, low, high, flexible in rows:
        flexible_text = "nil" if flexible is None else str(flexible)
        lines.append(f"        KafkaApiKey({key}): KafkaApiDescription(name: \"{name}\", versions: {low}...{high}, firstFlexibleVersion: {flexible_text}),")
    lines.append("    ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate_catalog():
    lines = [
        "// Generated by Tools/generate-kafka-messages.py. Do not edit.",
        "",
        "/// Every message type this module has a generated codec for.",
        "public let allGeneratedKafkaMessageTypes: [any KafkaMessage.Type] = [",
    ]
    for name in MESSAGES:
        lines.append(f"    {name}.self,")
    lines.append("]")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schemas", default=DEFAULT_SCHEMAS)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if generated files differ from the committed ones")
    args = parser.parse_args()

    outputs = {}
    for name in MESSAGES:
        schema = load_schema(os.path.join(args.schemas, name + ".json"))
        outputs[name + ".swift"] = Generator(schema).generate()
    outputs["KafkaApiKey+Catalog.swift"] = generate_api_keys(args.schemas)
    outputs["GeneratedMessageCatalog.swift"] = generate_catalog()
    samples = generate_samples_file(args.schemas)

    if args.check:
        stale = []
        for file, text in outputs.items():
            path = os.path.join(args.output, file)
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(file)
        if not os.path.exists(SAMPLES_OUTPUT) or open(SAMPLES_OUTPUT).read() != samples:
            stale.append(os.path.relpath(SAMPLES_OUTPUT, ROOT))
        extra = [f for f in os.listdir(args.output) if f.endswith(".swift") and f not in outputs] if os.path.isdir(args.output) else []
        if stale or extra:
            print("generated Kafka messages are out of date: " + ", ".join(stale + extra), file=sys.stderr)
            print("run Tools/generate-kafka-messages.py", file=sys.stderr)
            return 1
        print(f"generated Kafka messages are up to date ({len(outputs)} files)")
        return 0

    os.makedirs(args.output, exist_ok=True)
    for file in os.listdir(args.output):
        if file.endswith(".swift") and file not in outputs:
            os.remove(os.path.join(args.output, file))
    for file, text in outputs.items():
        with open(os.path.join(args.output, file), "w") as handle:
            handle.write(text)
    os.makedirs(os.path.dirname(SAMPLES_OUTPUT), exist_ok=True)
    with open(SAMPLES_OUTPUT, "w") as handle:
        handle.write(samples)
    print(f"wrote {len(outputs)} files to {os.path.relpath(args.output, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
