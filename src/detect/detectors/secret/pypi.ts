// secret.pypi_token: PyPI and TestPyPI API tokens, macaroons whose base64 starts by naming the index.
import { tokenFamily } from "./shared";

export const pypi = tokenFamily({
  id: "pypi",
  keywords: ["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"],
  maxLength: 1100,
  formats: [
    // "pypi-" + base64("\x02\x01\x08pypi.org") …
    { kind: "pypi_token", source: "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}", prefix: 19, confidence: 0.98 },
    // … or base64("\x02\x01\x0dtest.pypi.org").
    { kind: "pypi_token", source: "pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{50,1000}", prefix: 26, confidence: 0.9 },
  ],
});
