#define BOOST_TEST_MODULE wormwatch
#include <boost/test/unit_test.hpp>
