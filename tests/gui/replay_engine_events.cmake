# Runs a real scenario with `switchyard run --events`, then replays that log with
# `switchyard-gui --replay ... --speed 0 --screenshot` and checks what the replay showed.
# cmake -DSWITCHYARD=... -DGUI=... -DSCENARIO=... -DOUT=... -P replay_engine_events.cmake
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${SWITCHYARD} run ${SCENARIO} --events ${OUT}/engine-events.ndjson
                        --runs-dir ${OUT}/runs --quiet
                RESULT_VARIABLE run_rc OUTPUT_VARIABLE run_out ERROR_VARIABLE run_err)
if(NOT run_rc EQUAL 0)
  message(FATAL_ERROR "switchyard run exited ${run_rc}:\n${run_out}\n${run_err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
                        ${GUI} --replay ${OUT}/engine-events.ndjson --speed 0
                        --screenshot ${OUT}/engine-events.png
                RESULT_VARIABLE gui_rc OUTPUT_VARIABLE gui_out ERROR_VARIABLE gui_err)
if(NOT gui_rc EQUAL 0)
  message(FATAL_ERROR "switchyard-gui exited ${gui_rc}:\n${gui_out}\n${gui_err}")
endif()
message(STATUS "${gui_out}")
# The scenario kills relay-3 and passes: the replay must end there too.
if(NOT gui_out MATCHES "verdict passed; relay-1 up, relay-2 up, relay-3 down")
  message(FATAL_ERROR "unexpected replay summary: ${gui_out}")
endif()
if(NOT EXISTS ${OUT}/engine-events.png)
  message(FATAL_ERROR "no screenshot written")
endif()
