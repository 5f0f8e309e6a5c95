-- wrk script: POST /api/v1/instances with a unique Idempotency-Key per request (the 202 path).
-- Environment: BERTH_KEY (API key), BERTH_TENANT (tenant id), BERTH_RUN (unique run id).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local n = 0
local key = os.getenv("BERTH_KEY")
local run = os.getenv("BERTH_RUN")
local body = '{"tenantId":"' .. os.getenv("BERTH_TENANT") .. '","appId":"ghost","planId":"basic"}'

function request()
  n = n + 1
  return wrk.format("POST", "/api/v1/instances", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. tid .. "-" .. n,
  }, body)
end
