# Project-wide compile settings, applied per target so system headers stay untouched.
add_library(switchyard_options INTERFACE)
target_compile_options(switchyard_options INTERFACE -Wall -Wextra -Werror)
# Asio's io_uring and deprecated-API paths stay off; we build against plain epoll.
target_compile_definitions(switchyard_options INTERFACE BOOST_ASIO_NO_DEPRECATED OPENSSL_API_COMPAT=30000)
if(SWITCHYARD_SANITIZE)
  target_compile_options(switchyard_options INTERFACE -fsanitize=${SWITCHYARD_SANITIZE} -fno-omit-frame-pointer)
  target_link_options(switchyard_options INTERFACE -fsanitize=${SWITCHYARD_SANITIZE})
endif()

# switchyard_library(name SOURCES ... DEPS ...): a static library of project code.
function(switchyard_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${arg_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC switchyard_options ${arg_DEPS})
endfunction()

# switchyard_executable(name SOURCES ... DEPS ...): a program of project code.
function(switchyard_executable name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE switchyard_options ${arg_DEPS})
endfunction()

# switchyard_gtest(name SOURCES ... DEPS ... [LABELS ...]): one ctest entry per test case.
function(switchyard_gtest name)
  cmake_parse_arguments(arg "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  switchyard_executable(${name} SOURCES ${arg_SOURCES} DEPS ${arg_DEPS} GTest::gtest GTest::gtest_main)
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${arg_LABELS}" TIMEOUT ${arg_TIMEOUT})
endfunction()
