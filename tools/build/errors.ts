/** A build failure: its message is complete and printed as is (no stack); exit code 1. */
export class BuildError extends Error {
  /** The file the problem is in, relative to the ganzhi root, when there is one. */
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(message);
    this.name = "BuildError";
    this.file = file;
  }
}
