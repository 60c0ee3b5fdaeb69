#include "tools/gen/pcap_writer.h"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

#include "gen_test_util.h"

using ww::LinkType;
using ww::gen::PcapWriter;

BOOST_AUTO_TEST_SUITE(gen_pcap_writer)

BOOST_AUTO_TEST_CASE(microsecond_header_and_record) {
  std::vector<uint8_t> mem;
  {
    PcapWriter w(mem, {LinkType::kEthernet, 65535, false});
    const std::vector<uint8_t> frame(60, 0xab);
    w.write(int64_t{1075190400} * 1000000 + 123456, frame);
    BOOST_TEST(w.packets_written() == 1u);
    BOOST_TEST(w.bytes_written() == 24u + 16u + 60u);
  }
  const std::vector<uint8_t> header = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
                                       0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
  BOOST_TEST(std::vector<uint8_t>(mem.begin(), mem.begin() + 24) == header,
             boost::test_tools::per_element());
  const auto cap = gen_test::parse_pcap(mem);
  BOOST_TEST(cap.records.size() == 1u);
  BOOST_TEST(cap.records[0].sec == 1075190400u);
  BOOST_TEST(cap.records[0].frac == 123456u);
  BOOST_TEST(cap.records[0].incl == 60u);
  BOOST_TEST(cap.records[0].orig == 60u);
}

BOOST_AUTO_TEST_CASE(nanosecond_magic_and_fraction) {
  std::vector<uint8_t> mem;
  PcapWriter w(mem, {LinkType::kRaw, 262144, true});
  const std::vector<uint8_t> frame(20, 0x45);
  w.write_ns(int64_t{1075190400} * 1000000000 + 123456789, frame);
  w.write(int64_t{1075190401} * 1000000 + 5, frame);
  const auto cap = gen_test::parse_pcap(mem);
  BOOST_TEST(cap.magic == 0xa1b23c4du);
  BOOST_TEST(cap.linktype == 101u);
  BOOST_TEST(cap.records[0].frac == 123456789u);
  BOOST_TEST(cap.records[1].sec == 1075190401u);
  BOOST_TEST(cap.records[1].frac == 5000u);
}

BOOST_AUTO_TEST_CASE(snaplen_cuts_frames_but_keeps_original_length) {
  std::vector<uint8_t> mem;
  PcapWriter w(mem, {LinkType::kEthernet, 100, false});
  w.write(0, std::vector<uint8_t>(1514, 1));
  w.write(0, std::vector<uint8_t>(64, 1), 1000);  // explicit wire length
  const auto cap = gen_test::parse_pcap(mem);
  BOOST_TEST(cap.records[0].incl == 100u);
  BOOST_TEST(cap.records[0].orig == 1514u);
  BOOST_TEST(cap.records[1].incl == 64u);
  BOOST_TEST(cap.records[1].orig == 1000u);
}

BOOST_AUTO_TEST_CASE(file_and_memory_output_are_identical) {
  const auto dir = gen_test::temp_dir("pcap_writer");
  const std::string path = (dir / "w.pcap").string();
  std::vector<uint8_t> mem;
  PcapWriter::Options o;
  o.buffer_bytes = 64 * 1024;  // small buffer: exercise flushes and the write-through path
  {
    PcapWriter f(path, o);
    PcapWriter m(mem, o);
    for (int i = 0; i < 500; ++i) {
      std::vector<uint8_t> frame(static_cast<size_t>(60 + (i * 37) % 1400),
                                 static_cast<uint8_t>(i));
      if (i == 250) frame.assign(200000, 7);  // larger than the buffer
      f.write(i * 1000, frame);
      m.write(i * 1000, frame);
    }
    BOOST_TEST(f.bytes_written() == m.bytes_written());
    f.close();
    BOOST_TEST(std::filesystem::file_size(path) == f.bytes_written());
  }
  BOOST_TEST(gen_test::read_file(path) == mem);
  BOOST_TEST(gen_test::parse_pcap(mem).records.size() == 500u);
}

BOOST_AUTO_TEST_CASE(unwritable_path_names_the_file) {
  try {
    PcapWriter w("/nonexistent-dir/x.pcap", {});
    BOOST_FAIL("expected an exception");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent-dir/x.pcap") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(write_after_close_throws) {
  std::vector<uint8_t> mem;
  PcapWriter w(mem, {});
  w.close();
  BOOST_CHECK_THROW(w.write(0, std::vector<uint8_t>(10)), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
