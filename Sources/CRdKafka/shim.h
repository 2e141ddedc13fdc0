// librdkafka's C API and its in-process mock cluster, for the RdKafka target.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
