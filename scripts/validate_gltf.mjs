// Validates .glb files with the Khronos glTF validator; prints one JSON report per file.
// Usage: node scripts/validate_gltf.mjs FILE...
import { readFile } from "node:fs/promises";
import validator from "gltf-validator";

for (const path of process.argv.slice(2)) {
  const bytes = new Uint8Array(await readFile(path));
  const report = await validator.validateBytes(bytes, { maxIssues: 50, uri: path });
  console.log(JSON.stringify({ path, issues: report.issues }));
}
