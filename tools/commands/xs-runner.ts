/**
 * Before a command runs a node on XS (`sim --engine xs`, `profile`): bring the XS runner up to date, saying so on
 * stderr when that means work. The first build compiles XS's C sources, a long silent wait otherwise; the line is
 * printed under -q too, since it is not the command's result (stdout, and --json, stay as they are).
 */
import type { Output } from "../cli/command.js";
import { buildXsRunner, type XsLayout } from "../xs/build.js";

export async function prepareXsRunner(io: Output, layout?: XsLayout): Promise<void> {
  await buildXsRunner({
    ...(layout ? { layout } : {}),
    onWork: (files) =>
      io.err(
        files > 0
          ? `ganzhi: building the XS engine first: ${files} C file${files === 1 ? "" : "s"} to compile, once (until the XS sources or the compiler change)…\n`
          : "ganzhi: linking the XS engine first…\n",
      ),
  });
}
