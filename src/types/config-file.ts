import { existsSync, readFileSync, statSync } from "node:fs";
import { parseDocument } from "yaml";
import { ValidationError } from "../errors/validation-error.js";

/**
 * Reads a config file, YAML or JSON (told apart by content: JSON is YAML), into a plain value for its schema.
 * Duplicate keys are errors; aliases are bounded. `subject` names the file in errors.
 * @throws ValidationError on `--config` when the file is missing, else naming `subject` with each syntax
 *   error's line and column.
 */
export function readConfigFile(file: string, subject = `config file ${file}`): unknown {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ValidationError(
      [{ path: "--config", message: `file not found: ${file}`, received: file }],
      "command line",
    );
  }
  const doc = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : "";
        return { path: "(root)", message: `syntax error${where}: ${e.message.split("\n")[0]}` };
      }),
      subject,
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new ValidationError([{ path: "(root)", message: (error as Error).message }], subject);
  }
}
