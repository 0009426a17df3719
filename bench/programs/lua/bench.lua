-- Lua workload for the benchmark suite: calls, tables, strings, closures, sorting.
-- Deterministic; prints one line per part so a wrong result shows where it went wrong.
-- No error is raised and no coroutine yields (see wasi_shim.h for why that matters).
local scale = tonumber(arg and arg[1]) or 1

local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end

local seed = 42
local function rand()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
end

-- 1. recursion
local f = 0
for _ = 1, scale do f = f + fib(24) end
print("fib", f)

-- 2. tables: a hash map of string keys, then an array walk
local counts, keys = {}, 0
for i = 1, 60000 * scale do
  local k = "k" .. (rand() % 5000)
  if not counts[k] then keys = keys + 1 end
  counts[k] = (counts[k] or 0) + i % 7
end
local total = 0
for _, v in pairs(counts) do total = total + v end
print("tables", keys, total)

-- 3. strings: build, format, search, substitute
local parts = {}
for i = 1, 20000 * scale do parts[#parts + 1] = string.format("%d:%x;", i, i * 31) end
local s = table.concat(parts)
local hits = 0
for _ in s:gmatch("1%x*;") do hits = hits + 1 end
local replaced, n = s:gsub("ff", "<>")
print("strings", #s, hits, n, #replaced)

-- 4. closures and higher-order functions
local function compose(a, b) return function(x) return a(b(x)) end end
local inc = function(x) return x + 1 end
local dbl = function(x) return (x * 2) % 1000003 end
local g = compose(inc, dbl)
local acc = 1
for _ = 1, 200000 * scale do acc = g(acc) end
print("closures", acc)

-- 5. sorting records with a comparator
local recs = {}
for i = 1, 30000 * scale do recs[i] = { id = i, key = rand() % 100000 } end
table.sort(recs, function(a, b)
  if a.key ~= b.key then return a.key < b.key end
  return a.id < b.id
end)
local check = 0
for i = 1, #recs, 97 do check = (check * 31 + recs[i].id) % 1000000007 end
print("sort", recs[1].key, recs[#recs].key, check)
