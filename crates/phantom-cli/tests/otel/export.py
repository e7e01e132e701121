"""Exports logs, spans and a gauge to Phantom with the OpenTelemetry Python SDK over OTLP/HTTP.

The endpoint, the API key and the service come from the SDK's standard variables:

    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:8080
    OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<API key>
    OTEL_SERVICE_NAME=checkout

The Python SDK's OTLP/HTTP exporters send protobuf only (it has no JSON encoding). Every
export that fails makes the script exit with status 1, after every provider was shut down.
On success it prints one JSON line of what it sent, for the caller to check against Phantom.
"""

import json
import logging
import sys
from collections import Counter

from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.logging.handler import LoggingHandler
from opentelemetry.metrics import Observation
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExportResult
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExportResult, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult
from opentelemetry.trace import SpanKind, Status, StatusCode

# Normal requests, then the incident. With the sensitive preset the log detector takes a
# baseline of 200 events and warms up on 5 windows of 50 before it flags any window, so the
# normal part must be longer than 450 events.
NORMAL_REQUESTS = 600
INCIDENT_REQUESTS = 100
# Gauge points, one per collection; the one at SPIKE_AT is far above the rest. The series
# detector scores a point once it has 10 before it.
GAUGE_POINTS = 30
SPIKE_AT = 24
GAUGE_NAME = "checkout.queue.depth"
PATHS = ("orders", "users", "cart", "search")

# Failed exports and flushes, by what failed.
failures = Counter()


class Checked:
    """An exporter that remembers every export that did not succeed."""

    def __init__(self, exporter, success):
        self._exporter = exporter
        self._success = success

    def export(self, batch, *args, **kwargs):
        result = self._exporter.export(batch, *args, **kwargs)
        if result != self._success:
            failures[f"{type(self._exporter).__name__}: {result}"] += 1
        return result

    def __getattr__(self, name):
        return getattr(self._exporter, name)


def request(tracer, log, i):
    """One request: a server span with a database child span, and one log line."""
    path = PATHS[i * 7 % len(PATHS)]
    failing = i >= NORMAL_REQUESTS
    with tracer.start_as_current_span(
        f"GET /api/{path}", kind=SpanKind.SERVER, attributes={"http.route": f"/api/{path}"}
    ) as span:
        with tracer.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT):
            pass
        if failing:
            span.set_attribute("http.response.status_code", 504)
            span.set_status(Status(StatusCode.ERROR, "payment gateway timeout"))
            log.error(
                "payment gateway timeout after %d ms; retry %d of 3", i * 31 % 5000, i % 3
            )
        else:
            span.set_attribute("http.response.status_code", 200)
            log.info(
                "GET /api/%s status=200 took %d ms from 10.0.%d.%d",
                path,
                i * 13 % 97,
                i % 5,
                i % 200,
            )


def gauge_values():
    """Queue depths around 12, with one spike."""
    return [400.0 if i == SPIKE_AT else 10.0 + i * 7 % 5 for i in range(GAUGE_POINTS)]


def main():
    # service.name and other resource attributes from OTEL_SERVICE_NAME and
    # OTEL_RESOURCE_ATTRIBUTES.
    resource = Resource.create()

    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(
        BatchLogRecordProcessor(Checked(OTLPLogExporter(), LogRecordExportResult.SUCCESS))
    )
    log = logging.getLogger("checkout")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(LoggingHandler(logger_provider=logger_provider))

    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(
        BatchSpanProcessor(Checked(OTLPSpanExporter(), SpanExportResult.SUCCESS))
    )
    tracer = tracer_provider.get_tracer("checkout")

    # Exports only when flushed (the interval is longer than the run): one point per flush.
    pending = iter(gauge_values())

    def observe(_options):
        value = next(pending, None)
        return [] if value is None else [Observation(value)]

    reader = PeriodicExportingMetricReader(
        Checked(OTLPMetricExporter(), MetricExportResult.SUCCESS),
        export_interval_millis=3_600_000,
    )
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    meter_provider.get_meter("checkout").create_observable_gauge(
        GAUGE_NAME, callbacks=[observe], unit="{request}"
    )

    for i in range(NORMAL_REQUESTS + INCIDENT_REQUESTS):
        request(tracer, log, i)
    for _ in range(GAUGE_POINTS):
        if not meter_provider.force_flush():
            failures["the meter provider did not flush"] += 1
        if failures:
            # Each failed export retries for up to OTEL_EXPORTER_OTLP_TIMEOUT: stop at the first.
            break

    for provider in (logger_provider, tracer_provider):
        if not provider.force_flush():
            failures[f"{type(provider).__name__} did not flush"] += 1
    logger_provider.shutdown()
    tracer_provider.shutdown()
    meter_provider.shutdown()

    if failures:
        summary = "; ".join(f"{what} ({n}x)" for what, n in failures.items())
        print(
            f"export failed: {summary}. The SDK's messages above say why: a 401 is a wrong key "
            "in OTEL_EXPORTER_OTLP_HEADERS, a refused connection a wrong "
            "OTEL_EXPORTER_OTLP_ENDPOINT.",
            file=sys.stderr,
        )
        return 1
    print(
        json.dumps(
            {
                "service": resource.attributes["service.name"],
                "logs": NORMAL_REQUESTS + INCIDENT_REQUESTS,
                "incident_first": NORMAL_REQUESTS,
                "spans": 2 * (NORMAL_REQUESTS + INCIDENT_REQUESTS),
                "metric": GAUGE_NAME,
                "points": GAUGE_POINTS,
                "spike_at": SPIKE_AT,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
