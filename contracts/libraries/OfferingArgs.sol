// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOffering} from "../interfaces/IOffering.sol";
import {CloneArgs} from "./CloneArgs.sol";

/// @title OfferingArgs
/// @notice An offering's {IOffering.Config} as its clone's immutable arguments: the struct ABI-encoded, one word a
/// field in declaration order (each value right-aligned in its word, as `abi.encode` puts it), and its getters.
///
/// | word | bytes     | field             | meaning                                                |
/// | ---- | --------- | ----------------- | ------------------------------------------------------ |
/// | 0    | 0 – 31    | deal              | the deal the offering sells a tranche of (address)     |
/// | 1    | 32 – 63   | asset             | the stablecoin investors pay in (address)              |
/// | 2    | 64 – 95   | proceedsReceiver  | who withdraws the proceeds: the issuer (address)       |
/// | 3    | 96 – 127  | trancheIndex      | the tranche's rank in the deal (uint8)                 |
/// | 4    | 128 – 159 | opensAt           | unix time requests open (uint64)                       |
/// | 5    | 160 – 191 | closesAt          | unix time requests close (uint64)                      |
/// | 6    | 192 – 223 | cap               | most the tranche accepts: its face amount (uint128)    |
/// | 7    | 224 – 255 | minRaise          | least the tranche must raise, or it fails (uint128)    |
/// | 8    | 256 – 287 | minTicket         | smallest request of a controller (uint128)             |
/// | 9    | 288 – 319 | reserveFundingBps | share of the proceeds that funds the reserve (uint16)  |
///
/// @dev The memory layout of a {IOffering.Config} is the same ten words: {config} copies them into place with one
/// EXTCODECOPY, with no ABI decoder (the factory wrote them with {encode}, so every value is clean).
library OfferingArgs {
    uint256 internal constant WORDS = 10;
    uint256 private constant DEAL_WORD = 0x00;
    uint256 private constant ASSET_WORD = 0x20;

    /// @notice The clone arguments of an offering with configuration `c`.
    function encode(IOffering.Config memory c) internal pure returns (bytes memory) {
        return abi.encode(c);
    }

    /// @notice The whole configuration, from one copy of its ten words.
    function config() internal view returns (IOffering.Config memory c) {
        uint256 ptr = CloneArgs.words(0, WORDS * 32);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            c := ptr
        }
    }

    function deal() internal view returns (address) {
        return address(uint160(CloneArgs.word(DEAL_WORD)));
    }

    function asset() internal view returns (address) {
        return address(uint160(CloneArgs.word(ASSET_WORD)));
    }
}
