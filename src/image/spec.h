// Image specs: reading the JSON file format of sbx-image(5) (errors name the bad field, e.g.
// "image.json: steps[2].pip: expected an array, got string"), the checks every spec passes
// whatever its source (CLI flags or a file), and the words a build log uses for each step.
// Pure functions but for path checks on the host; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "sbx/error.h"
#include "sbx/image.h"

namespace sbx {

// Parses a spec file's text. Relative paths in it (base, requirements, copy sources, find-links
// directories) are taken relative to base_dir (the file's directory). source names the file in
// errors.
Result<ImageSpec> parse_image_spec(std::string_view text, const std::string& base_dir,
                                   const std::string& source);

// The rules for every spec: known base, non-empty package lists, absolute in-image paths,
// existing host paths, valid environment keys. Host paths must already be absolute.
Status validate_image_spec(const ImageSpec& spec);

// "pip install pandas numpy", "apt-get install jq", "run echo hi", "env A=1", ...
std::string describe_step(const ImageStep& step);

// A canonical encoding of the step's own fields (not of files it reads), for layer ids.
std::string step_key(const ImageStep& step);

// The spec as JSON in the file format, with absolute paths (stored with each image).
std::string encode_image_spec(const ImageSpec& spec);

}  // namespace sbx
