# The installable weld: what `cmake --install` (and `make install`) puts under the prefix.
#
#   lib/libweld.so.0.1.0, libweld.so.0 (the SONAME), libweld.so   the shared library
#   lib/libweld.a                                                 the static library
#   include/weld.h, include/wasm.h (every header in include/)     the public headers
#   bin/weld                                                       the command
#   lib/pkgconfig/weld.pc                                          for pkg-config
#   lib/cmake/weld/                                                for find_package(weld)
#   share/man/man1/weld.1, bash and zsh completions                when the sources have them
#
# Both libraries are made from weld_lib's objects (see CMakeLists.txt), so they hold exactly
# the code the CLI and the tests run. Included from the top-level CMakeLists.txt.

# ---- libweld.so ---------------------------------------------------------------------------
# The ABI version is the SONAME: libweld.so.MAJOR, bumped when the ABI breaks.
add_library(weld_shared SHARED $<TARGET_OBJECTS:weld_lib>)
set_target_properties(weld_shared PROPERTIES
  OUTPUT_NAME weld
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  EXPORT_NAME weld)
target_include_directories(weld_shared PUBLIC
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(weld_shared PRIVATE ${WELD_PRIVATE_LIBS})
if(NOT (WELD_SANITIZE OR WELD_FUZZ))
  # Every symbol the library uses must resolve at its own link (the sanitizer runtimes are
  # only in the executable, hence the exception).
  target_link_options(weld_shared PRIVATE -Wl,--no-undefined)
endif()

# ---- libweld.a ----------------------------------------------------------------------------
# An archive of weld_lib's objects would export every internal function: hidden visibility
# means nothing to a static link, and most internal names (toml_parse, util_fail,
# wasm_module_free, wasi_fd_write, ...) carry no weld_ prefix, so they would clash with the
# embedder's own symbols or another library's. The installed archive is instead one
# relocatable object: `ld -r` joins all objects (their calls to each other resolved inside
# it), then `objcopy --localize-hidden` turns every hidden symbol local, leaving global only
# the default-visibility API, exactly what libweld.so exports. That is chosen over renaming
# because it holds by construction for code added later (a new internal function is hidden
# by default, whatever its name) and touches no source; tests/install checks the result.
# The cost: a static link takes the whole library rather than the objects it needs.
set(WELD_STATIC_LIB ${CMAKE_BINARY_DIR}/libweld.a)
set(WELD_PRELINK_OBJ ${CMAKE_BINARY_DIR}/CMakeFiles/weld_prelink.o)
if(CMAKE_LINKER AND CMAKE_OBJCOPY AND CMAKE_AR)
  add_custom_command(OUTPUT ${WELD_STATIC_LIB}
    COMMAND ${CMAKE_LINKER} -r -o ${WELD_PRELINK_OBJ} $<TARGET_OBJECTS:weld_lib>
    COMMAND ${CMAKE_OBJCOPY} --localize-hidden ${WELD_PRELINK_OBJ}
    COMMAND ${CMAKE_COMMAND} -E remove -f ${WELD_STATIC_LIB}
    COMMAND ${CMAKE_AR} qc ${WELD_STATIC_LIB} ${WELD_PRELINK_OBJ}
    COMMAND ${CMAKE_RANLIB} ${WELD_STATIC_LIB}
    DEPENDS weld_lib $<TARGET_OBJECTS:weld_lib>
    COMMENT "Prelinking the installable static library libweld.a"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(weld_static ALL DEPENDS ${WELD_STATIC_LIB})
else()
  message(WARNING "weld: ld, objcopy or ar not found; libweld.a is not built or installed")
  set(WELD_STATIC_LIB "")
endif()

# ---- install ------------------------------------------------------------------------------
install(TARGETS weld RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS weld_shared EXPORT weldTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(WELD_STATIC_LIB)
  install(FILES ${WELD_STATIC_LIB} DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
# Every header in include/ is public (weld.h, and wasm.h for the standard C API); the
# internal ones live in src/ and are never installed.
file(GLOB WELD_PUBLIC_HEADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/include/*.h)
install(FILES ${WELD_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The libraries weld needs, as link flags for weld.pc and as the static CMake target's
# interface. Besides Threads::Threads, WELD_PRIVATE_LIBS holds plain library names (m) or
# flags: an imported target would mean nothing to an embedder's build.
set(WELD_PRIVATE_LINK "")
set(WELD_CONFIG_STATIC_LIBS "")
foreach(lib ${WELD_PRIVATE_LIBS})
  if(lib STREQUAL "Threads::Threads")
    if(CMAKE_THREAD_LIBS_INIT)
      list(APPEND WELD_PRIVATE_LINK ${CMAKE_THREAD_LIBS_INIT})
    else()
      list(APPEND WELD_PRIVATE_LINK -lpthread) # in libc since glibc 2.34; harmless
    endif()
  elseif(lib MATCHES "::")
    message(FATAL_ERROR "WELD_PRIVATE_LIBS: '${lib}' is a target; name the library (e.g. dw) so weld.pc and weldConfig.cmake can carry it")
  elseif(lib MATCHES "^-")
    list(APPEND WELD_PRIVATE_LINK ${lib})
  else()
    list(APPEND WELD_PRIVATE_LINK -l${lib})
  endif()
  list(APPEND WELD_CONFIG_STATIC_LIBS ${lib})
endforeach()
list(REMOVE_DUPLICATES WELD_PRIVATE_LINK)
string(JOIN " " WELD_PC_LIBS_PRIVATE ${WELD_PRIVATE_LINK})

# weld.pc. `cmake --install --prefix DIR` may install somewhere other than the configured
# prefix, so the file is written at install time: configured now with everything but the
# prefix, which is filled in from the install's own CMAKE_INSTALL_PREFIX.
set(WELD_PC_PREFIX "@CMAKE_INSTALL_PREFIX@")
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(WELD_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(WELD_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
configure_file(${CMAKE_SOURCE_DIR}/cmake/weld.pc.in ${CMAKE_BINARY_DIR}/weld.pc.in @ONLY)
install(CODE "configure_file(\"${CMAKE_BINARY_DIR}/weld.pc.in\" \"${CMAKE_BINARY_DIR}/weld.pc\" @ONLY)")
install(FILES ${CMAKE_BINARY_DIR}/weld.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The CMake package: weld::weld (the shared library, exported by CMake) and
# weld::weld_static (the prelinked archive, declared by weldConfig.cmake). Relocatable.
include(CMakePackageConfigHelpers)
set(WELD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/weld)
set(WELD_CONFIG_LIBDIR ${CMAKE_INSTALL_LIBDIR})
set(WELD_CONFIG_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
set(WELD_CONFIG_HAS_STATIC 0)
if(WELD_STATIC_LIB)
  set(WELD_CONFIG_HAS_STATIC 1)
endif()
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/weldConfig.cmake.in
  ${CMAKE_BINARY_DIR}/weldConfig.cmake
  INSTALL_DESTINATION ${WELD_CMAKE_DIR}
  PATH_VARS WELD_CONFIG_LIBDIR WELD_CONFIG_INCLUDEDIR)
# 0.x: a new minor version may break the ABI, so only the same 0.MINOR is compatible.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/weldConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(EXPORT weldTargets NAMESPACE weld:: FILE weldTargets.cmake DESTINATION ${WELD_CMAKE_DIR})
install(FILES ${CMAKE_BINARY_DIR}/weldConfig.cmake ${CMAKE_BINARY_DIR}/weldConfigVersion.cmake
  DESTINATION ${WELD_CMAKE_DIR})

# The man page and shell completions. OPTIONAL: installed when the sources have them,
# checked at install time (if(EXISTS) would be decided when the build was configured).
install(FILES ${CMAKE_SOURCE_DIR}/docs/weld.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 OPTIONAL)
install(FILES ${CMAKE_SOURCE_DIR}/cli/completions/weld.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME weld OPTIONAL)
install(FILES ${CMAKE_SOURCE_DIR}/cli/completions/_weld
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions OPTIONAL)
