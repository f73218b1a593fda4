# TeaCache rescaling polynomial for dit-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 1; fitted on modulated relative L1 in [0.006363357417285442, 0.09564528614282608]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-24T22:46:13.872Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [1.1382746548590748, -0.010270267585762306]
