-- wrk script: replay pre-signed Twilio SMS webhooks, each sent once.
--
--   wrk -t T -c C -d Ds -s replay.lua URL -- REQUESTS_FILE PATH THREADS [RATE]
--
-- REQUESTS_FILE has one request a line: "<X-Twilio-Signature> <urlencoded form>". Thread k of
-- THREADS sends lines k+1, k+1+THREADS, ... in order and stops at the end of its share, so no
-- MessageSid is ever sent twice (a repeat would take the cheap duplicate path).
--
-- Without RATE the connections send as fast as the server answers (saturation); wrk's own
-- latency figures are then from send to answer. With RATE (requests a second, the whole run),
-- run one connection per thread: each thread keeps its own schedule (RATE / THREADS a second,
-- the threads staggered) and delay() holds each request until its due time. The latency is
-- then counted from the due time, not the send, so a server that falls behind shows its
-- queueing delay instead of slowing the load down (no coordinated omission). Those latencies
-- are kept per thread in 0.1 ms bins and merged in done(), which prints one JSON line.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } pv_timespec;
int clock_gettime(int clock_id, pv_timespec *tp);
]]
local clock = ffi.new("pv_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- main state ---------------------------------------------------------------
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- thread state ---------------------------------------------------------------
local requests, sent, answered = {}, 0, 0
local interval, due, first_due = nil, nil, nil
local pending_due = nil
hist = {}      -- paced latency bins (0.1 ms), read by done()
late = 0       -- paced requests sent more than 1 ms after their due time
exhausted = 0  -- 1 when this thread ran out of requests before the end
filler = 0     -- requests sent after running out (to /healthz, never a webhook)

function init(args)
  local file, path, count = args[1], args[2], tonumber(args[3])
  local rate = tonumber(args[4] or "0")
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  local n = 0
  for line in io.lines(file) do
    if n % count == id then
      local space = line:find(" ", 1, true)
      headers["X-Twilio-Signature"] = line:sub(1, space - 1)
      table.insert(requests, wrk.format("POST", path, headers, line:sub(space + 1)))
    end
    n = n + 1
  end
  if rate > 0 then
    interval = 1000 * count / rate
    first_due = id * 1000 / rate
  end
end

function delay()
  if not interval then
    return 0
  end
  if not due then
    return 0
  end
  return math.max(0, math.floor(due - now_ms()))
end

function request()
  sent = sent + 1
  if sent > #requests then
    exhausted = 1
    filler = filler + 1
    return wrk.format("GET", "/healthz")
  end
  if interval then
    local now = now_ms()
    if not due then -- wrk sends a connection's first request without asking delay()
      due = now
    elseif now - due > 1 then
      late = late + 1
    end
    pending_due = due
    due = due + interval
    if sent == 1 then -- the threads take turns: thread k's second request is k / RATE later
      due = due + first_due
    end
  end
  return requests[sent]
end

function response(status, headers, body)
  answered = answered + 1
  if pending_due then
    local bin = math.floor((now_ms() - pending_due) * 10)
    hist[bin] = (hist[bin] or 0) + 1
    pending_due = nil
  end
  if answered >= #requests then
    exhausted = 1
    wrk.thread:stop()
  end
end

-- main state again, at the end ---------------------------------------------------
local function percentile(bins, total, q)
  local keys = {}
  for bin in pairs(bins) do
    table.insert(keys, bin)
  end
  table.sort(keys)
  local seen, want = 0, math.max(1, math.ceil(q * total))
  for _, bin in ipairs(keys) do
    seen = seen + bins[bin]
    if seen >= want then
      return bin / 10
    end
  end
  return -1
end

function done(summary, latency, requests_)
  local bins, total, late_, out_of, fillers = {}, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    for bin, count in pairs(thread:get("hist")) do
      bins[bin] = (bins[bin] or 0) + count
      total = total + count
    end
    late_ = late_ + thread:get("late")
    out_of = out_of + thread:get("exhausted")
    fillers = fillers + thread:get("filler")
  end
  local errors = summary.errors
  local fields = {
    string.format('"requests": %d', summary.requests),
    string.format('"duration_s": %.3f', summary.duration / 1e6),
    string.format('"non_2xx": %d', errors.status),
    string.format('"socket_errors": %d', errors.connect + errors.read + errors.write + errors.timeout),
    string.format('"p50_ms": %.2f', latency:percentile(50) / 1000),
    string.format('"p99_ms": %.2f', latency:percentile(99) / 1000),
    string.format('"threads_out_of_requests": %d', out_of),
    string.format('"filler": %d', fillers),
  }
  if total > 0 then
    table.insert(fields, string.format('"paced": %d', total))
    table.insert(fields, string.format('"paced_late": %d', late_))
    table.insert(fields, string.format('"paced_p50_ms": %.1f', percentile(bins, total, 0.50)))
    table.insert(fields, string.format('"paced_p99_ms": %.1f', percentile(bins, total, 0.99)))
  end
  io.write("RESULT {" .. table.concat(fields, ", ") .. "}\n")
end
