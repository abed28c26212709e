-- wrk script: POST the public comment form, each request with its own idempotency key.
local csrf = os.getenv("CSRF")
local cookie = os.getenv("COOKIE")
local clause = os.getenv("CLAUSE")
local path = os.getenv("FORM_PATH")
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  math.randomseed(os.time() + tid * 7919)
  prefix = string.format("%d-%d-%d", os.time(), tid, math.random(1, 1000000000))
end

local text = "%E5%BB%BA%E8%AE%AE%E5%A2%9E%E5%8A%A0%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD%E4%BC%A6%E7%90%86%E5%AE%A1%E6%9F%A5%E7%9A%84%E5%86%85%E5%AE%B9%E3%80%82"

request = function()
  counter = counter + 1
  local body = "csrf_token=" .. csrf .. "&idempotency_key=" .. prefix .. "-" .. counter ..
    "&clause_ids=" .. clause .. "&body=" .. text .. "&email=load%40example.org"
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
