/** A template that does not parse or fails while executing (the message is shown to users). */
export class TemplateError extends Error {
  override name = 'TemplateError';
}
