# bash completion for forklab(8): commands, mode names, contpte policies,
# scope kinds and each command's options.  check-completion.sh holds these
# lists against the CLI's command table and include/uapi/forklab.h.
# shellcheck disable=SC2207  # compgen -W words never hold spaces: the bash-completion idiom
_forklab()
{
	local cur prev words cword
	_init_completion || return

	local commands='check status mode contpte scope stats load unload ab help'
	local modes='stock passthrough perpte batched'
	local policies='kernel unfold block'
	local scopes='all pid comm cgroup'
	local ab_options='--modes --contpte --vary --rounds --warmup --baseline --bpftrace --clock --out --seed'
	local benchmarks='latency fork-exit mprotect'

	# the command: the first word that is not a global option
	local i cmd='' at=0
	for ((i = 1; i < cword; i++)); do
		[[ ${words[i]} == -* ]] && continue
		cmd=${words[i]} at=$i
		break
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands --json --help --version" -- "$cur"))
		return
	fi

	case $cmd in
	mode)
		((cword == at + 1)) && COMPREPLY=($(compgen -W "$modes --list" -- "$cur")) ;;
	contpte)
		((cword == at + 1)) && COMPREPLY=($(compgen -W "$policies --list" -- "$cur")) ;;
	scope)
		case $prev in
		scope) COMPREPLY=($(compgen -W "$scopes" -- "$cur")) ;;
		cgroup) _filedir -d ;;	# a path under /sys/fs/cgroup, or relative to it
		pid) COMPREPLY=($(compgen -W "$(command ps -e -o pid= 2> /dev/null)" -- "$cur")) ;;
		esac ;;
	stats)
		case $prev in
		--mode) COMPREPLY=($(compgen -W "$modes" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "--reset --mode" -- "$cur")) ;;
		esac ;;
	load)
		case $prev in
		--mode) COMPREPLY=($(compgen -W "$modes" -- "$cur")) ;;
		--contpte) COMPREPLY=($(compgen -W "$policies" -- "$cur")) ;;
		*) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--mode --contpte" -- "$cur")); else _filedir 'ko?(.xz|.zst|.gz)'; fi ;;
		esac ;;
	ab)
		# after the benchmark (or --) the words are the benchmark's
		for ((i = at + 1; i < cword; i++)); do
			[[ ${words[i]} == -- || " $benchmarks " == *" ${words[i]} "* ]] && return
		done
		case $prev in
		--modes) COMPREPLY=($(compgen -W "$modes all" -- "$cur")) ;;
		--contpte) COMPREPLY=($(compgen -W "$policies all" -- "$cur")) ;;
		--clock) COMPREPLY=($(compgen -W "auto icount time" -- "$cur")) ;;
		--bpftrace) _filedir bt ;;
		--out) _filedir -d ;;
		--vary | --rounds | --warmup | --baseline | --seed) ;;
		*) COMPREPLY=($(compgen -W "$ab_options $benchmarks compare --" -- "$cur")) ;;
		esac ;;
	help)
		((cword == at + 1)) && COMPREPLY=($(compgen -W "$commands --man" -- "$cur")) ;;
	esac
}
complete -F _forklab forklab
