# TeaCache rescaling polynomial for osp-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 2; fitted on modulated relative L1 in [0.013256268575787544, 0.1450268179178238]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-24T22:29:35.666Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [11.27921352585138, -0.20699479566517778, 0.015967290037789128]
