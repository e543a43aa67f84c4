#!/bin/sh
# R's package make has no header dependencies: an object whose headers changed would be linked
# stale (a changed struct layout crashes at run time). The development flags
# (tools/Makevars.ccache) make the compiler write a .d file of dependencies beside each object;
# this drops every object older than one of its dependencies, so that R CMD INSTALL rebuilds it
# (ccache makes that cheap when the preprocessed source did not change).
find src -name '*.d' | while read -r d; do
  o="${d%.d}.o"
  [ -f "$o" ] || continue
  # dependencies: the words after the target's colon, without line continuations
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$d" | tr ' ' '\n' | grep -v ':$' | sort -u); do
    if [ "$dep" -nt "$o" ] || [ ! -e "$dep" ]; then
      rm -f "$o"
      break
    fi
  done
done
