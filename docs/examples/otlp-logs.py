#!/usr/bin/env python3
"""Prints an OTLP/JSON ExportLogsServiceRequest of the service `checkout`: 1,600 lines of
normal web traffic, then 100 payment-gateway errors (records 1,600 to 1,699). Used by the
examples in docs/API.md and docs/DETECTION.md."""
import json

paths = ["orders", "users", "cart", "search"]
lines = [
    f"GET /api/{paths[i * 7 % 4]} status=200 took {i * 13 % 97} ms from 10.0.{i % 5}.{i % 200}"
    for i in range(1600)
]
lines += [f"payment gateway timeout after {i * 31 % 5000} ms; retry {i % 3} of 3" for i in range(100)]
records = [
    {
        "timeUnixNano": str(1795300000000000000 + i * 1000000),
        "severityText": "INFO" if i < 1600 else "ERROR",
        "body": {"stringValue": line},
    }
    for i, line in enumerate(lines)
]
service = {"key": "service.name", "value": {"stringValue": "checkout"}}
print(json.dumps({"resourceLogs": [{"resource": {"attributes": [service]}, "scopeLogs": [{"logRecords": records}]}]}))
