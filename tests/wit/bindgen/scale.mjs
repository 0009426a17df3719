// The function `scale` that world `calls` (echo.wit) imports, for jco's transpilation.
export default function scale(x) {
  return (x * 3) >>> 0;
}
