# forklab A/B: the median of each variant against its baseline, 95% interval (red:
# significant after Holm's correction).  'gnuplot plot.gp' in the result folder writes plot.svg.
set terminal svg size 900,474 dynamic font 'sans,11' background '#ffffff'
set output 'plot.svg'
unset key
set grid xtics mxtics
set logscale x 10
set format x '%gx'
set ytics noenhanced
set border 3
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 2 lc rgb '#606060'
set multiplot layout 2,1 title "latency, k-instr/fork (7 rounds)\n6.12.95+deb12-arm64, TCG-icount, 1 vCPU, implementer 0x00 part 0x051 (QEMU -cpu max), forklab 1b58b0a-dirty" noenhanced
$forest0 << EOD
8 4.40986 4.35462 4.42145 1 "stock/unfold"
7 1.21157 1.19644 1.21355 1 "stock/block"
6 5.3288 5.25227 5.33828 1 "perpte/kernel"
5 9.68934 9.56652 9.70081 1 "perpte/unfold"
4 9.68879 9.56776 9.69776 1 "perpte/block"
3 1.00834 0.995267 1.01743 0 "batched/kernel"
2 6.00445 5.9281 6.01067 1 "batched/unfold"
1 1.05505 1.04188 1.05638 1 "batched/block"
EOD
set title "latency: median k-instr/fork against stock/kernel (lower)" noenhanced
set xlabel "ratio to stock/kernel (log scale; lower is better)" noenhanced
set xrange [0.884625:19.4393]
set yrange [0.4:8.6]
set xtics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
plot $forest0 using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \
     $forest0 using ($5 > 0 ? $2 : 1/0):1 with points pt 7 ps 1.1 lc rgb '#c03030', \
     $forest0 using 4:1:(sprintf('  %+.1f%%', ($2 - 1) * 100)) with labels left font ',9'
$inval << EOD
0 0 "stock/kernel"
1 4096 "stock/unfold"
2 0 "stock/block"
3 4096 "perpte/kernel"
4 6144 "perpte/unfold"
5 6144 "perpte/block"
6 0 "batched/kernel"
7 6144 "batched/unfold"
8 0 "batched/block"
EOD
unset logscale x
unset arrow 1
set xtics auto rotate by -30 noenhanced
set format x '%g'
set xrange [-0.6:*]
set yrange [0:*]
set grid ytics
set style fill solid 0.5 border
set boxwidth 0.6
set xlabel ''
set title 'ranged TLB invalidations per fork (contpte folds and unfolds)' noenhanced
plot $inval using 1:2:xtic(3) with boxes lc rgb '#a06030', $inval using 1:2:(sprintf('%.0f', $2)) with labels offset 0,0.7 font ',9'
unset multiplot
