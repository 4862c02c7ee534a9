# SPDX-License-Identifier: Apache-2.0
# mw_library(<name> DEPS <targets...>): one static library per folder of src/, built from every
# .cc in the folder that is not a test, benchmark or fuzz target, plus one GoogleTest executable
# from the folder's *_test.cc files and its testing/ fakes.
function(mw_library name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "_(test|bench|fuzz)\\.cc$")
  add_library(mw_${name} STATIC ${srcs})
  target_include_directories(mw_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(mw_${name} PUBLIC ${ARG_DEPS})

  file(GLOB testing_srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/testing/*.cc)
  if(testing_srcs)
    add_library(mw_${name}_testing STATIC ${testing_srcs})
    target_link_libraries(mw_${name}_testing PUBLIC mw_${name})
  endif()

  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(tests)
    add_executable(mw_${name}_tests ${tests})
    target_link_libraries(mw_${name}_tests PRIVATE mw_${name} ${ARG_TEST_DEPS} GTest::gtest_main GTest::gmock)
    if(testing_srcs)
      target_link_libraries(mw_${name}_tests PRIVATE mw_${name}_testing)
    endif()
    gtest_discover_tests(mw_${name}_tests DISCOVERY_MODE PRE_TEST
                         PROPERTIES LABELS unit)
  endif()
endfunction()
