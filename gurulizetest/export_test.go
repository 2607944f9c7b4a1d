package gurulizetest

// ScriptForCallee lets the package's external tests reach the magic number table.
var ScriptForCallee = scriptForCallee
