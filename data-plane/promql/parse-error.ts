/** A syntax/type error at a byte offset; parseExpr renders it as `line:col: parse error: …`. */
export class ParseError extends Error {
  constructor(
    readonly pos: number,
    msg: string,
  ) {
    super(msg);
  }
}
