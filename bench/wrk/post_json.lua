-- wrk script for bench/intake.py: POST one JSON body per request and print the
-- run's figures as one JSON line (prefixed WRK_JSON) in done().
--
-- Environment: BENCH_PATH (URL path), BENCH_TOKEN (API token, optional),
-- BENCH_REQUESTER_ID (requester_id of the new tickets, optional).

local path = os.getenv("BENCH_PATH") or "/api/v1/tickets"
local token = os.getenv("BENCH_TOKEN") or ""
local requester = os.getenv("BENCH_REQUESTER_ID") or ""

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local extra = ""
if requester ~= "" then
  extra = ',"requester_id":' .. requester
end

local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"subject":"Printer %d on floor 3 jams","body":"Paper jam in tray 2 (request %d).","impact":"medium","urgency":"high"%s}',
    counter % 97, counter, extra)
  return wrk.format(nil, path, nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
