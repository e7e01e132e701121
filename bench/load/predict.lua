-- wrk script: POSTs the body in $PHANTOM_BODY_FILE (of type $PHANTOM_CONTENT_TYPE, JSON unless set)
-- with the API key in $PHANTOM_KEY, and prints
-- one JSON line with requests/s, latency quantiles (µs) and error counts when done.
local f = assert(io.open(os.getenv("PHANTOM_BODY_FILE"), "rb"))
wrk.method = os.getenv("PHANTOM_METHOD") or "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("PHANTOM_CONTENT_TYPE") or "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("PHANTOM_KEY") or "")
if wrk.method == "GET" then
  wrk.body = nil
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"requests_per_s":%.1f,"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,' ..
    '"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.timeout))
end
