#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "sensor/capture/pcap_source.h"

using namespace ww;

BOOST_AUTO_TEST_SUITE(capture)

BOOST_AUTO_TEST_CASE(kernel_counters_survive_32_bit_wrap) {
  WrappingCounter c;
  c.update(100);
  BOOST_TEST(c.total == 100u);
  c.update(0xfffffff0u);
  BOOST_TEST(c.total == 0xfffffff0u);
  c.update(5);   // wrapped: 0x10 + 5 more
  BOOST_TEST(c.total == 0xfffffff0ull + 0x15ull);
  c.update(5);   // no change
  BOOST_TEST(c.total == 0xfffffff0ull + 0x15ull);
}

BOOST_AUTO_TEST_CASE(directories_expand_in_name_order) {
  namespace fs = std::filesystem;
  fs::path d = fs::temp_directory_path() / "ww-capture-test";
  fs::remove_all(d);
  fs::create_directories(d / "sub");
  for (const char* n : {"b.pcap", "a.pcap", "c.pcapng"}) std::ofstream(d / n) << "x";
  auto files = expand_capture_paths({d.string()});
  BOOST_REQUIRE(files.size() == 3u);   // the subdirectory is not a capture
  BOOST_TEST(fs::path(files[0]).filename() == "a.pcap");
  BOOST_TEST(fs::path(files[2]).filename() == "c.pcapng");
  fs::remove_all(d / "sub");
  for (const char* n : {"a.pcap", "b.pcap", "c.pcapng"}) fs::remove(d / n);
  BOOST_CHECK_THROW(expand_capture_paths({d.string()}), CaptureError);   // empty directory
  BOOST_CHECK_THROW(expand_capture_paths({(d / "missing").string()}), CaptureError);
  fs::remove_all(d);
}

BOOST_AUTO_TEST_SUITE_END()
