-- wrk script: POST the public comment form, each request with its own idempotency key and a
-- text of its own: one to six sentences of the seed drafts (tests/fixtures), 20 to about 600
-- characters, on the clause given.
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

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  counter = 0
  math.randomseed(os.time() + tid * 7919)
  -- LOADER tells concurrent wrk processes apart (their threads have the same numbers).
  local loader = os.getenv("LOADER") or "0"
  math.randomseed(os.time() + tid * 7919 + tonumber(loader) * 104729)
  prefix = string.format("%d-%s-%d-%d", os.time(), loader, tid, math.random(1, 1000000000))
  sentences = {}
  for _, f in ipairs({"seed_000.txt", "seed_003.txt", "seed_004.txt"}) do
    local h = io.open("tests/fixtures/" .. f, "r")
    if h then
      local text = h:read("*a"):gsub("%s+", "")
      h:close()
      for s in text:gmatch("(.-。)") do
        if #s >= 18 and #s <= 480 then table.insert(sentences, encode(s)) end
      end
    end
  end
  assert(#sentences > 100, "the seed drafts are read from tests/fixtures")
end

request = function()
  counter = counter + 1
  local parts = {}
  for _ = 1, math.random(1, 6) do
    table.insert(parts, sentences[math.random(#sentences)])
  end
  local body = "csrf_token=" .. csrf .. "&idempotency_key=" .. prefix .. "-" .. counter ..
    "&clause_ids=" .. clause .. "&body=" .. table.concat(parts) .. "&email=load%40example.org"
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
