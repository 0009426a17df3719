// The interface test:echo/host that world `calls` (echo.wit) imports, for jco's transpilation.
export function offset() {
  return -7;
}
