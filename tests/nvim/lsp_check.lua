-- A real editor as the client: Neovim's built-in LSP client starts
-- `throughline lsp` on a copy of content-example/, makes an unsaved edit that
-- breaks a parent id, waits for the diagnostic, then asks for completion and
-- go-to-definition. Exits 0 when everything matched, 1 with a message otherwise.
--
-- Run: THROUGHLINE_BIN=… SITE_ROOT=… nvim --headless --clean -n -i NONE -c "luafile tests/nvim/lsp_check.lua"
-- Works with Neovim 0.7 (Debian bookworm's) and later.

local function fail(message)
  io.stderr:write("lsp_check: FAIL: " .. message .. "\n")
  os.exit(1)
end

local function note(message)
  io.stderr:write("lsp_check: " .. message .. "\n")
end

local ok, err = pcall(function()
  local bin = os.getenv("THROUGHLINE_BIN") or fail("THROUGHLINE_BIN is not set")
  local root = os.getenv("SITE_ROOT") or fail("SITE_ROOT is not set")
  local file = root .. "/bets/bet-instant-payouts.md"

  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()

  local client_id
  local config = { name = "throughline", cmd = { bin, "lsp" }, root_dir = root }
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = buf })
  else
    client_id = vim.lsp.start_client(config)
    if client_id then
      vim.lsp.buf_attach_client(buf, client_id)
    end
  end
  if not client_id then
    fail("the client did not start")
  end
  local started = vim.wait(15000, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized == true
  end, 50)
  if not started then
    fail("the server did not initialize")
  end
  note("initialized")

  -- The unsaved edit: `parent: ps-payouts` becomes `parent: ps-payout`.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local parent_line
  for i, line in ipairs(lines) do
    if line == "parent: ps-payouts" then
      parent_line = i - 1
    end
  end
  if not parent_line then
    fail("no `parent: ps-payouts` line in " .. file)
  end
  vim.api.nvim_buf_set_lines(buf, parent_line, parent_line + 1, false, { "parent: ps-payout" })

  local function code_of(d)
    if d.code then
      return d.code
    end
    local lsp = d.user_data and d.user_data.lsp
    return lsp and lsp.code
  end
  local found
  local got = vim.wait(15000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if code_of(d) == "broken-link" and d.lnum == parent_line then
        found = d
        return true
      end
    end
    return false
  end, 50)
  if not got then
    fail("no broken-link diagnostic on line " .. (parent_line + 1) .. "; got " .. vim.inspect(vim.diagnostic.get(buf)))
  end
  if found.col ~= 8 then
    fail("the diagnostic starts at column " .. found.col .. ", not 8")
  end
  if not string.find(found.message, "did you mean `ps-payouts`?", 1, true) then
    fail("unexpected message: " .. found.message)
  end
  note("diagnostic: " .. found.message:gsub("\n", " / "))

  local function request(method, line, character)
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = line, character = character },
    }
    local responses = vim.lsp.buf_request_sync(buf, method, params, 10000)
    if not responses then
      fail(method .. ": no answer")
    end
    for _, response in pairs(responses) do
      if response.err then
        fail(method .. ": " .. vim.inspect(response.err))
      end
      return response.result
    end
    fail(method .. ": empty answer")
  end

  -- Completion after `parent: ps-payout`: only product strategies.
  local result = request("textDocument/completion", parent_line, #"parent: ps-payout")
  local items = result and (result.items or result) or {}
  local labels = {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
  table.sort(labels)
  local expected = "ps-cashflow ps-lending ps-payouts"
  if table.concat(labels, " ") ~= expected then
    fail("completion offered " .. table.concat(labels, " ") .. ", expected " .. expected)
  end
  note("completion: " .. table.concat(labels, " "))

  -- Go to definition on `team: team-payouts`.
  local team_line
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line == "team: team-payouts" then
      team_line = i - 1
    end
  end
  if not team_line then
    fail("no `team: team-payouts` line")
  end
  local definition = request("textDocument/definition", team_line, 8)
  if definition and definition[1] then
    definition = definition[1]
  end
  local uri = definition and (definition.uri or definition.targetUri)
  if not uri or not string.find(uri, "/teams/team%-payouts%.md$") then
    fail("definition went to " .. vim.inspect(definition))
  end
  note("definition: " .. uri)

  vim.lsp.stop_client(client_id)
end)

if not ok then
  fail(tostring(err))
end
note("all checks passed")
os.exit(0)
