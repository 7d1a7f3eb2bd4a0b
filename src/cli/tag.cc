// `sbx tag`: replaces a sandbox's tags with the KEY=VALUE pairs given (none clears them).
#include "cli/cli.h"
#include "cli/parse.h"

namespace sbx::cli {

namespace {

struct TagFlags {
  TargetFlags sandbox;
  std::vector<std::string> pairs;
};

Result<int> tag(Engine& engine, const TagFlags& f) {
  SBX_ASSIGN_OR_RETURN(TagMap tags, parse_tags("tag", f.pairs));
  SBX_TRY(engine.set_tags(f.sandbox.ref(), tags));
  return 0;
}

}  // namespace

void add_tag_verb(CLI::App& sbx, Action& action) {
  auto [cmd, f] = add_verb(sbx, "tag", "Replace a sandbox's tags", action, tag);
  add_target(cmd, f->sandbox, "SANDBOX");
  cmd->add_option("TAG", f->pairs, "The new tags (none: remove all)")->type_name("KEY=VALUE");
}

}  // namespace sbx::cli
