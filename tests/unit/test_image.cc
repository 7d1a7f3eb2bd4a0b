// Unit tests of the image module: SHA-256 against FIPS 180-4 vectors, the spec file format
// (fields, defaults, relative paths, errors naming the field), step descriptions and keys, and
// the layer store's publish / chain / prune of staging dirs.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "engine/image_refs.h"
#include "engine/images.h"
#include "image/layer_store.h"
#include "image/spec.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/sha256.h"

using namespace sbx;

TEST_CASE("sha256 matches the standard's vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(Sha256().field("ab").field("c").hex() != Sha256().field("a").field("bc").hex());
}

TEST_CASE("image spec files") {
  auto spec = parse_image_spec(
      R"({"name": "x", "base": "rootfs", "steps": [
           {"pip": ["six"], "no_index": true, "find_links": ["wheels", "https://h/w"]},
           {"run": "echo hi"}, {"run": ["true", "a"]}, {"env": {"A": "1"}},
           {"workdir": "/w"}, {"copy": "src", "dest": "/app"}, {"pip_requirements": "r.txt"}]})",
      "/d", "f.json");
  REQUIRE(spec.ok());
  CHECK(spec->name == "x");
  CHECK(spec->base == "/d/rootfs");
  REQUIRE(spec->steps.size() == 7);
  CHECK(spec->steps[0].pip.find_links == std::vector<std::string>{"/d/wheels", "https://h/w"});
  CHECK(spec->steps[0].pip.no_index);
  CHECK(spec->steps[1].command == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
  CHECK(describe_step(spec->steps[1]) == "run echo hi");
  CHECK(spec->steps[2].command == std::vector<std::string>{"true", "a"});
  CHECK(describe_step(spec->steps[3]) == "env A=1");
  CHECK(spec->steps[5].path == "/d/src");
  CHECK(spec->steps[6].path == "/d/r.txt");
  CHECK(step_key(spec->steps[0]) != step_key(spec->steps[1]));

  auto defaults = parse_image_spec("{}", "/d", "f.json");
  REQUIRE(defaults.ok());
  CHECK(defaults->base == "host");
  CHECK(defaults->steps.empty());

  auto error = [](const char* text) {
    auto r = parse_image_spec(text, "/d", "f.json");
    REQUIRE(!r.ok());
    return r.error().message();
  };
  CHECK(error(R"({"steps": [{"pip": "six"}]})") ==
        "f.json: steps[0].pip: expected an array, got string");
  CHECK(error(R"({"steps": [{"run": "x", "extra": 1}]})") ==
        "f.json: steps[0].extra: unknown field");
  CHECK(error(R"({"base": true})") == "f.json: base: expected a string, got boolean");
  CHECK(error(R"({"steps": [{"copy": "a"}]})") ==
        "f.json: steps[0].dest: required field is missing");
  CHECK(error("[1]").find("must be a JSON object") != std::string::npos);
}

TEST_CASE("image spec rules") {
  ImageSpec spec;
  CHECK(validate_image_spec(spec).ok());
  spec.base = "relative";
  CHECK(!validate_image_spec(spec).ok());
  spec.base = "host";
  ImageStep pip{ImageStep::Kind::kPip};
  spec.steps = {pip};
  CHECK(validate_image_spec(spec).error().message().find("no packages") != std::string::npos);
  spec.steps[0].packages = {"--evil"};
  CHECK(!validate_image_spec(spec).ok());
  ImageStep workdir{ImageStep::Kind::kWorkdir};
  workdir.dest = "rel";
  spec.steps = {workdir};
  CHECK(!validate_image_spec(spec).ok());
}

TEST_CASE("layer store: publish, chain, staging") {
  char tmpl[] = "/tmp/sbx-layers.XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string home = tmpl;
  LayerStore store(home);
  REQUIRE(store.init().ok());
  std::string a = sha256_hex("a"), b = sha256_hex("b");
  CHECK(!store.has(a));
  auto staging = store.new_staging(a);
  REQUIRE(staging.ok());
  REQUIRE(make_dirs(*staging + "/root/opt", 0755).ok());
  REQUIRE(write_file_atomic(*staging + "/root/opt/f", "hello", 0644).ok());
  LayerMeta ma{a, "", "host", "run a", true, {{"K", "V"}}, "/w", 1, 2, 0};
  REQUIRE(store.publish(*staging, ma).ok());
  CHECK(store.has(a));
  CHECK(!path_exists(*staging));
  CHECK(read_file(store.root_dir(a) + "/opt/f").value() == "hello");
  auto sb = store.new_staging(b);
  REQUIRE(sb.ok());
  LayerMeta mb{b, a, "host", "env", false, {{"K", "W"}}, "/w", 1, 0, 0};
  REQUIRE(store.publish(*sb, mb).ok());
  auto chain = store.chain(b);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 2);
  CHECK((*chain)[0].id == b);
  CHECK((*chain)[1].env == EnvList{{"K", "V"}});
  CHECK(!path_exists(store.root_dir(b)));
  // A staging dir of a dead process is pruned; ours (alive) is kept.
  std::string dead = store.tmp_dir() + "/" + sha256_hex("c") + ".999999999.x";
  REQUIRE(make_dirs(dead, 0700).ok());
  auto mine = store.new_staging(sha256_hex("d"));
  REQUIRE(mine.ok());
  auto pruned = store.prune_staging();
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(!path_exists(dead));
  CHECK(path_exists(*mine));
  CHECK(store.remove(a).ok());
  CHECK(!store.has(a));
  REQUIRE(remove_tree(home).ok());
}

TEST_CASE("register_image_layer: a staged directory becomes an image on top of another") {
  char tmpl[] = "/tmp/sbx-snap.XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string home = tmpl;
  auto store = Store::open(home + "/sbx.db");
  REQUIRE(store.ok());
  std::function<Result<Store*>()> opened = [&]() -> Result<Store*> { return store->get(); };
  auto staged = new_layer_staging_path(home);
  REQUIRE(staged.ok());
  CHECK(!path_exists(*staged));
  REQUIRE(make_dirs(*staged + "/srv", 0755).ok());
  REQUIRE(write_file_atomic(*staged + "/srv/one", "1", 0644).ok());
  auto first = register_image_layer(**store, home, "", *staged, "snapshot of sb-x");
  REQUIRE(first.ok());
  CHECK(first->rfind("im-", 0) == 0);
  CHECK(!path_exists(*staged));
  auto root = image_root(home, *first, opened);
  REQUIRE(root.ok());
  CHECK(root->host_base);
  REQUIRE(root->lowers.size() == 1);
  CHECK(read_file(root->lowers[0] + "/srv/one").value() == "1");

  auto staged2 = new_layer_staging_path(home);
  REQUIRE(staged2.ok());
  REQUIRE(make_dirs(*staged2 + "/srv", 0755).ok());
  REQUIRE(write_file_atomic(*staged2 + "/srv/two", "2", 0644).ok());
  auto second = register_image_layer(**store, home, *first, *staged2, "snapshot of sb-y");
  REQUIRE(second.ok());
  CHECK(*second != *first);
  auto root2 = image_root(home, *second, opened);
  REQUIRE(root2.ok());
  REQUIRE(root2->lowers.size() == 2);
  CHECK(path_exists(root2->lowers[0] + "/srv/two"));
  CHECK(root2->lowers[1] == root->lowers[0]);
  CHECK(root2->image_id == *second);

  auto missing = register_image_layer(**store, home, "no-such", *staged2, "x");
  CHECK(!missing.ok());
  REQUIRE(remove_tree(home).ok());
}

TEST_CASE("image references: remembered, forgotten at every change of the images table") {
  char tmpl[] = "/tmp/sbx-refs.XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string home = tmpl;
  auto store = Store::open(home + "/sbx.db");
  REQUIRE(store.ok());
  int opens = 0;
  std::function<Result<Store*>()> counted = [&]() -> Result<Store*> {
    ++opens;
    return store->get();
  };
  auto image = [&](const std::string& file) {
    auto staged = new_layer_staging_path(home);
    REQUIRE(staged.ok());
    REQUIRE(make_dirs(*staged, 0755).ok());
    REQUIRE(write_file_atomic(*staged + "/" + file, file, 0644).ok());
    auto id = register_image_layer(**store, home, "", *staged, "snapshot");
    REQUIRE(id.ok());
    return *id;
  };
  std::string first = image("one");
  REQUIRE(name_image(**store, home, first, "env").ok());

  // The first lookup asks the store and remembers; the next ones do not ask.
  auto a = resolve_image_ref(home, "env", counted);
  REQUIRE(a.ok());
  CHECK(a->id == first);
  CHECK(opens == 1);
  CHECK(path_exists(home + "/images/refs/env"));
  auto b = resolve_image_ref(home, "env", counted);
  REQUIRE(b.ok());
  CHECK(b->id == first);
  CHECK(b->top_layer == a->top_layer);
  CHECK(b->config_json == a->config_json);
  CHECK(opens == 1);
  auto by_id = resolve_image_ref(home, first, counted);
  REQUIRE(by_id.ok());
  CHECK(by_id->name == "env");
  CHECK(opens == 2);

  // A new image, and the name moving to it, forget what was remembered.
  std::string second = image("two");
  CHECK(!path_exists(home + "/images/refs/env"));
  REQUIRE(resolve_image_ref(home, "env", counted).ok());  // remembered again: still the first
  REQUIRE(name_image(**store, home, second, "env").ok());
  auto moved = resolve_image_ref(home, "env", counted);
  REQUIRE(moved.ok());
  CHECK(moved->id == second);
  auto root = image_root(home, "env", counted);
  REQUIRE(root.ok());
  CHECK(root->image_id == second);
  REQUIRE(root->lowers.size() == 1);
  CHECK(path_exists(root->lowers[0] + "/two"));

  // While a change is under way no reader may look up or remember anything; a change that
  // died (its lock gone with it) has forgotten everything before it touched the store.
  {
    auto change = begin_image_change(home);
    REQUIRE(change.ok());
    CHECK(!path_exists(home + "/images/refs/env"));
    UniqueFd reader(open((home + "/images/refs.lock").c_str(), O_RDWR | O_CLOEXEC));
    REQUIRE(reader);
    CHECK(flock(reader.get(), LOCK_SH | LOCK_NB) != 0);
    REQUIRE((*store)->delete_image(second).ok());
  }
  auto gone = resolve_image_ref(home, "env", counted);
  REQUIRE(!gone.ok());
  CHECK(gone.error().to_string().find("no image 'env'") != std::string::npos);

  // A damaged entry is a miss, never an error, and is written again.
  auto again = resolve_image_ref(home, first, counted);
  REQUIRE(again.ok());
  REQUIRE(
      write_file_atomic(home + "/images/refs/" + first, "{\"format\": 1, \"id\": 7", 0600).ok());
  int before = opens;
  auto healed = resolve_image_ref(home, first, counted);
  REQUIRE(healed.ok());
  CHECK(healed->id == first);
  CHECK(opens == before + 1);
  CHECK(read_file(home + "/images/refs/" + first).value().find("\"format\":1") !=
        std::string::npos);

  // A reference that is not a plain name is never turned into a path.
  before = opens;
  auto odd = resolve_image_ref(home, "../sbx.db", counted);
  CHECK(!odd.ok());
  CHECK(opens == before + 1);
  CHECK(!path_exists(home + "/images/sbx.db"));
  REQUIRE(remove_tree(home).ok());
}
