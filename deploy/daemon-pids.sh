# Sourced by deploy/cluster-start and deploy/cluster-stop (not run on its own): PID files that can tell the
# daemon they recorded from whatever process has the same PID later. A PID is reused once its process ends,
# so "kill $(cat master.pid)" could hit an unrelated process; next to NAME.pid (the PID alone, as tools
# expect) NAME.id records the process's start time (clock ticks since boot, /proc/PID/stat field 22: it never
# changes for a process and differs for a later one with the same PID) and the Java main class it runs.

# Start time of PID in clock ticks since boot, or nothing when there is no such process.
pid_start_ticks() {
  local stat rest
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  rest="${stat##*) }" # the command name, in parentheses, may hold spaces: fields count from after it
  # shellcheck disable=SC2086
  set -- $rest
  echo "${20}" # field 22 of the line; the first field after the name is field 3
}

# pid_record RUNDIR NAME PID MAIN_CLASS: writes RUNDIR/NAME.pid and RUNDIR/NAME.id.
pid_record() {
  local run="$1" name="$2" pid="$3" class="$4" start
  start="$(pid_start_ticks "$pid")" || start=gone
  echo "$pid" > "$run/$name.pid"
  echo "$start $class" > "$run/$name.id"
}

# pid_owned PIDFILE: status 0 when the PID in PIDFILE is still the process that was recorded: same start time
# and the recorded main class on its command line. Prints why not otherwise. Status 1: it is gone or another
# process now has that PID (leave it alone); status 2: no PID in the file.
pid_owned() {
  local file="$1" pid id start class now cmd
  pid="$(tr -cd '0-9' < "$file" 2>/dev/null)"
  [ -n "$pid" ] || { echo "$file holds no PID"; return 2; }
  now="$(pid_start_ticks "$pid")" || { echo "PID $pid has ended"; return 1; }
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
  id="${file%.pid}.id"
  if [ -f "$id" ]; then
    read -r start class < "$id"
  else # recorded by an older cluster-start: the main class its name stands for, no start time
    start="$now"
    case "$(basename "$file")" in master.pid) class=org.apache.spark.deploy.master.Master ;; *) class=org.apache.spark.deploy.worker.Worker ;; esac
  fi
  if [ "$now" != "$start" ] || [[ " $cmd " != *" $class "* ]]; then
    echo "PID $pid is not the $class recorded in $file any more (now: ${cmd:0:120})"
    return 1
  fi
  echo "$pid"
}
