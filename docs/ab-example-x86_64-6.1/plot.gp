# forklab A/B: distributions per variant (box: quartiles, whiskers: min..max, thick: median, dots: samples).
# 'gnuplot plot.gp' in the result folder writes plot.svg.
set terminal svg size 1200,760 dynamic font 'sans,11' background '#ffffff'
set output 'plot.svg'
set samples 1000
unset key
set grid ytics
set style fill solid 0.25 border
set boxwidth 0.5
set xtics rotate by -30 noenhanced
set ylabel 'us/fork (lower is better)' noenhanced
set yrange [0:*]
$sum0 << EOD
1 11369.8 9382.23 16517.7 15559.3 15055.1 "stock"
2 11683.8 9313.99 18168.6 17012.2 13381.1 "passthrough"
3 11997.7 10793.6 26165.5 20807.9 14567.8 "perpte"
4 11187.5 9939.45 23042.5 22391.6 21594.6 "batched"
EOD
$pts0 << EOD
1 12718.4
1 15785.9
1 15332.6
1 10021.2
1 16517.7
1 15055.1
1 9382.23
2 16587.2
2 13381.1
2 17437.3
2 9313.99
2 18168.6
2 11643.3
2 11724.3
3 20185.8
3 26165.5
3 12625.6
3 14567.8
3 21430
3 11369.8
3 10793.6
4 22223.3
4 10757.8
4 23042.5
4 22560
4 21594.6
4 11617.2
4 9939.45
EOD
$sum1 << EOD
1 9363.56 9076.86 18589.3 17103.6 15201.9 "stock"
2 15334.6 13933.8 19547.5 18191.5 16736.4 "passthrough"
3 15288.5 12512.2 27053 23705.7 22040.1 "perpte"
4 6252.63 6104.66 10388 8262.74 7208.72 "batched"
EOD
$pts1 << EOD
1 9076.86
1 16808.6
1 17398.7
1 9241.08
1 9486.05
1 18589.3
1 15201.9
2 13933.8
2 16736.4
2 19122.1
2 17260.8
2 19547.5
2 15579.3
2 15089.9
3 15611.1
3 22040.1
3 27053
3 14966
3 23654.5
3 12512.2
3 23756.9
4 6141.73
4 8161.88
4 8363.59
4 6104.66
4 6363.52
4 10388
4 7208.72
EOD
$sum2 << EOD
1 3545 2474.63 21406.8 4060.87 3606.97 "stock"
2 3352.99 2149.34 4174.51 3896.61 3632.86 "passthrough"
3 3660.85 2813.26 5644.11 4684.54 4069.51 "perpte"
4 2272.67 2266.47 3887.26 3631.93 2334.66 "batched"
EOD
$pts2 << EOD
1 21406.8
1 3731.13
1 2474.63
1 4390.6
1 3606.97
1 3605.31
1 3484.69
2 2149.34
2 3632.86
2 3484.07
2 4174.51
2 3221.91
2 3943.15
2 3850.07
3 4328.34
3 3402.68
3 5644.11
3 2813.26
3 4069.51
3 5040.75
3 3919.03
4 3887.26
4 2275.39
4 3540.32
4 3723.54
4 2334.66
4 2269.95
4 2266.47
EOD
$sum3 << EOD
1 1720.87 1511.72 2301.9 2061.85 1938.04 "stock"
2 1679.73 1475.11 2113.91 2039.49 1810.16 "passthrough"
3 1840 1549.62 2140.01 2061.74 1992.92 "perpte"
4 1594.21 1121.41 2642.37 2076.24 2028.19 "batched"
EOD
$pts3 << EOD
1 1718.57
1 2301.9
1 1723.16
1 1938.04
1 1511.72
1 2152.19
1 1971.51
2 1475.11
2 2113.91
2 2032.77
2 2046.21
2 1585.26
2 1774.21
2 1810.16
3 2140.01
3 2016.5
3 1776.03
3 2106.98
3 1992.92
3 1903.97
3 1549.62
4 1243.8
4 1121.41
4 1944.62
4 2642.37
4 2092.61
4 2028.19
4 2059.88
EOD
$sum4 << EOD
1 16266.5 14629.1 19095.4 17313.2 16580.7 "stock"
2 16803.1 10682.5 43064.9 18128.1 17130.5 "passthrough"
3 18902.2 16046.2 36833.7 22366 21564.4 "perpte"
4 16826.3 13188.2 22425.4 21282.5 19271.4 "batched"
EOD
$pts4 << EOD
1 17106.9
1 19095.4
1 16164.5
1 16580.7
1 16368.5
1 17519.4
1 14629.1
2 16615.8
2 17528.2
2 18727.9
2 17130.5
2 10682.5
2 43064.9
2 16990.4
3 21518.4
3 36833.7
3 16046.2
3 21564.4
3 22017.5
3 16286.1
3 22714.5
4 21552.7
4 22425.4
4 17802.8
4 13188.2
4 15849.8
4 21012.4
4 19271.4
EOD
set multiplot layout 2,3 title 'latency on 6.1.0-56-amd64 (7 rounds)' noenhanced
set title 'order0' noenhanced
set xrange [0.3:4.7]
plot $sum0 using 1:2:3:4:5:xticlabels(7) with candlesticks whiskerbars lc rgb '#3060a0', \
     $sum0 using 1:6:6:6:6 with candlesticks lt -1 lw 3, \
     $pts0 using ($1 + (rand(0) - 0.5) * 0.25):2 with points pt 7 ps 0.4 lc rgb '#b03030'
set title 'thp-pte' noenhanced
set xrange [0.3:4.7]
plot $sum1 using 1:2:3:4:5:xticlabels(7) with candlesticks whiskerbars lc rgb '#3060a0', \
     $sum1 using 1:6:6:6:6 with candlesticks lt -1 lw 3, \
     $pts1 using ($1 + (rand(0) - 0.5) * 0.25):2 with points pt 7 ps 0.4 lc rgb '#b03030'
set title 'thp-pmd' noenhanced
set xrange [0.3:4.7]
plot $sum2 using 1:2:3:4:5:xticlabels(7) with candlesticks whiskerbars lc rgb '#3060a0', \
     $sum2 using 1:6:6:6:6 with candlesticks lt -1 lw 3, \
     $pts2 using ($1 + (rand(0) - 0.5) * 0.25):2 with points pt 7 ps 0.4 lc rgb '#b03030'
set title 'shmem' noenhanced
set xrange [0.3:4.7]
plot $sum3 using 1:2:3:4:5:xticlabels(7) with candlesticks whiskerbars lc rgb '#3060a0', \
     $sum3 using 1:6:6:6:6 with candlesticks lt -1 lw 3, \
     $pts3 using ($1 + (rand(0) - 0.5) * 0.25):2 with points pt 7 ps 0.4 lc rgb '#b03030'
set title 'file' noenhanced
set xrange [0.3:4.7]
plot $sum4 using 1:2:3:4:5:xticlabels(7) with candlesticks whiskerbars lc rgb '#3060a0', \
     $sum4 using 1:6:6:6:6 with candlesticks lt -1 lw 3, \
     $pts4 using ($1 + (rand(0) - 0.5) * 0.25):2 with points pt 7 ps 0.4 lc rgb '#b03030'
unset multiplot
