# TeaCache rescaling polynomial for dit-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 2; fitted on modulated relative L1 in [0.008322849869728088, 0.18774664402008057]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-25T12:29:54.561Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [25.88579417438645, -1.9897203128853689, 0.04161741731404911]
