/**
 * What the browser build gets for `node:fs/promises` and `node:path`: the SDK's address-book file helpers import
 * them, and the app never calls those helpers.
 */
const unavailable = (name: string) => () => {
  throw new Error(`${name} is not available in the browser`);
};
export const mkdir = unavailable("mkdir");
export const readFile = unavailable("readFile");
export const rename = unavailable("rename");
export const writeFile = unavailable("writeFile");
export const join = (...parts: string[]) => parts.join("/");
export default { mkdir, readFile, rename, writeFile, join };
