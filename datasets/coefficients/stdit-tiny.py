# TeaCache rescaling polynomial for stdit-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 1; fitted on modulated relative L1 in [0.036681048572063446, 0.12934425473213196]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-25T12:42:59.387Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [1.2080349633701055, -0.03769705491028118]
