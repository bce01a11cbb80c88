// A webpack loader for the replay test: applies text edits to a workflow source before the
// Temporal bundler compiles it, so the test can replay recorded histories against a deliberately
// changed copy of the workflow code without writing into workflows/.
module.exports = function mutate(source) {
  let out = source;
  for (const { find, replace } of this.getOptions().edits) {
    if (!out.includes(find)) throw new Error(`mutate-loader: ${this.resourcePath} does not contain ${JSON.stringify(find)}`);
    out = out.replace(find, replace);
  }
  return out;
};
