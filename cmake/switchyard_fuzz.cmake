# switchyard_fuzz_target(name SOURCES ... DEPS ... [CORPUS dir]): one libFuzzer target.
#
# Built with clang in the `fuzz` preset (SWITCHYARD_FUZZ=ON): the preset instruments every
# project library for coverage (-fsanitize=fuzzer-no-link plus ASan/UBSan) and the target links
# libFuzzer's main. In every other build the same source links a small replay main instead, and
# ctest runs it over the target's seed corpus (tests/fuzz/corpus/<name without _fuzz>/), so each
# corpus file, crash regressions included, is a unit test of the default suite.
option(SWITCHYARD_FUZZ "Build the tests/fuzz targets as libFuzzer programs (clang)" OFF)

if(SWITCHYARD_FUZZ AND NOT TARGET fuzz-all)
  add_custom_target(fuzz-all)
endif()

function(switchyard_fuzz_target name)
  cmake_parse_arguments(arg "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  if(NOT arg_CORPUS)
    string(REGEX REPLACE "_fuzz$" "" stem ${name})
    set(arg_CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${stem})
  endif()
  if(SWITCHYARD_FUZZ)
    switchyard_executable(${name} SOURCES ${arg_SOURCES} DEPS ${arg_DEPS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_dependencies(fuzz-all ${name})
  else()
    switchyard_executable(${name} SOURCES ${arg_SOURCES} ${CMAKE_CURRENT_SOURCE_DIR}/replay_main.cpp
                          DEPS ${arg_DEPS})
    add_test(NAME fuzz_corpus.${name} COMMAND ${name} ${arg_CORPUS})
    set_tests_properties(fuzz_corpus.${name} PROPERTIES LABELS "unit;fuzz" TIMEOUT 120)
  endif()
endfunction()
