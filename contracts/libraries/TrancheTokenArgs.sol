// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ITrancheTokenBase} from "../interfaces/ITrancheToken.sol";

/// @title TrancheTokenArgs
/// @notice The immutable arguments of a tranche token clone: {ITrancheTokenBase.Params} packed into nine words, so a
/// transfer reads the few fields it needs at fixed offsets of its own code (one `EXTCODECOPY` each) instead of
/// decoding them all.
///
/// | word | contents (from the least significant bit)                                                       |
/// | ---- | ----------------------------------------------------------------------------------------------- |
/// | 0    | deal (0 – 159), tranche index (160 – 167), decimals (168 – 175)                                 |
/// | 1    | stablecoin (0 – 159), allowed classes (160 – 175), minimum holding period (176 – 207),          |
/// |      | maximum holders (208 – 239)                                                                     |
/// | 2    | investor registry (0 – 159), minimum holding (160 – 255)                                        |
/// | 3, 4 | name, symbol (OpenZeppelin short strings)                                                       |
/// | 5–8  | blocked-countries bitmap                                                                        |
library TrancheTokenArgs {
    uint256 internal constant WORDS = 9;
    uint256 internal constant DEAL_WORD = 0;
    uint256 internal constant STABLECOIN_WORD = 1;
    uint256 internal constant REGISTRY_WORD = 2;
    uint256 internal constant NAME_WORD = 3;
    uint256 internal constant SYMBOL_WORD = 4;
    uint256 internal constant BLOCKED_WORD = 5;

    /// @notice The clone arguments for `p`. Reverts if `p.rules.minHolding` does not fit in 96 bits (balances do not).
    function encode(ITrancheTokenBase.Params memory p) internal pure returns (bytes memory) {
        return
            abi.encode(
                uint256(uint160(p.deal)) | (uint256(p.trancheIndex) << 160) | (uint256(p.decimals) << 168),
                uint256(uint160(p.stablecoin)) |
                    (uint256(p.rules.allowedClasses) << 160) |
                    (uint256(p.rules.minHoldingPeriod) << 176) |
                    (uint256(p.rules.maxHolders) << 208),
                uint256(uint160(p.registry)) | (uint256(SafeCast.toUint96(p.rules.minHolding)) << 160),
                p.name,
                p.symbol,
                p.rules.blockedCountries
            );
    }

    /// @notice Unpacks the nine words `w` of {encode}.
    function decode(uint256[WORDS] memory w) internal pure returns (ITrancheTokenBase.Params memory p) {
        p.deal = address(uint160(w[DEAL_WORD]));
        p.trancheIndex = uint8(w[DEAL_WORD] >> 160);
        p.decimals = uint8(w[DEAL_WORD] >> 168);
        p.stablecoin = address(uint160(w[STABLECOIN_WORD]));
        p.rules.allowedClasses = uint16(w[STABLECOIN_WORD] >> 160);
        p.rules.minHoldingPeriod = uint32(w[STABLECOIN_WORD] >> 176);
        p.rules.maxHolders = uint32(w[STABLECOIN_WORD] >> 208);
        p.registry = address(uint160(w[REGISTRY_WORD]));
        p.rules.minHolding = uint128(w[REGISTRY_WORD] >> 160);
        p.name = bytes32(w[NAME_WORD]);
        p.symbol = bytes32(w[SYMBOL_WORD]);
        for (uint256 i; i < 4; ++i) {
            p.rules.blockedCountries[i] = w[BLOCKED_WORD + i];
        }
    }
}
