// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ShortString} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {ITrancheTokenBase} from "../interfaces/ITrancheToken.sol";
import {CloneArgs} from "./CloneArgs.sol";
import {TransferRules} from "./TransferRules.sol";

/// @title TrancheTokenArgs
/// @notice The immutable arguments of a tranche token clone: {ITrancheTokenBase.Params} packed into ten words, so a
/// transfer reads the few fields it needs at fixed offsets of its own code ({CloneArgs}) instead of decoding them
/// all. Words are at byte 32·word of the arguments; bits count from the least significant.
///
/// | word | bits      | field            | meaning                                                              |
/// | ---- | --------- | ---------------- | -------------------------------------------------------------------- |
/// | 0    | 0 – 159   | deal             | the deal the tranche belongs to                                      |
/// | 0    | 160 – 167 | trancheIndex     | the tranche's rank in the deal                                       |
/// | 0    | 168 – 175 | decimals         | the stablecoin's decimals, the token's                               |
/// | 1    | 0 – 159   | stablecoin       | the cash the token distributes                                       |
/// | 1    | 160 – 175 | allowedClasses   | rule bits 0 – 15 of {TransferRules.pack}                             |
/// | 1    | 176 – 207 | minHoldingPeriod | rule bits 16 – 47 (seconds)                                          |
/// | 1    | 208 – 239 | maxHolders       | rule bits 48 – 79                                                    |
/// | 2    | 0 – 159   | registry         | the issuer's investor registry; zero: the rules do not apply         |
/// | 2    | 160 – 255 | minHolding       | rule bits 80 – 175 (96 bits, as balances)                            |
/// | 3    | 0 – 255   | name             | OpenZeppelin short string                                            |
/// | 4    | 0 – 255   | symbol           | OpenZeppelin short string                                            |
/// | 5–8  | 0 – 255   | blockedCountries | the rules' blocked-countries bitmap, one word each                   |
/// | 9    | 0 – 159   | distributor      | who announces distributions: the deal, or its equity waterfall       |
/// | 9    | 160       | dealPays         | set when the distributor is not the deal (an equity waterfall): the  |
/// |      |           |                  | deal holds the class's cash and pays its claims                      |
///
/// @dev The rule bits of words 1 and 2 line up with {TransferRules.pack} shifted up by 160: {compliance} rebuilds
/// the packed rules with two shifts and an or.
library TrancheTokenArgs {
    uint256 internal constant WORDS = 10;
    /// @dev Byte offsets of the words in the arguments.
    uint256 private constant DEAL_WORD = 0x00;
    uint256 private constant STABLECOIN_WORD = 0x20;
    uint256 private constant REGISTRY_WORD = 0x40;
    uint256 private constant NAME_WORD = 0x60;
    uint256 private constant SYMBOL_WORD = 0x80;
    uint256 private constant DISTRIBUTOR_WORD = 0x120;

    uint256 private constant TRANCHE_INDEX_SHIFT = 160;
    uint256 private constant DECIMALS_SHIFT = 168;
    /// @dev Set in the distributor word when the distributor is not the deal (an equity waterfall, which only
    /// accounts): the deal holds the class's cash and pays its claims.
    uint256 private constant DEAL_PAYS_SHIFT = 160;
    /// @dev Where the rule bits start in words 1 and 2.
    uint256 private constant RULES_SHIFT = 160;

    /// @notice The clone arguments for `p`. Reverts if `p.rules.minHolding` does not fit in 96 bits (balances do not).
    function encode(ITrancheTokenBase.Params memory p) internal pure returns (bytes memory) {
        return
            abi.encode(
                uint256(uint160(p.deal)) |
                    (uint256(p.trancheIndex) << TRANCHE_INDEX_SHIFT) |
                    (uint256(p.decimals) << DECIMALS_SHIFT),
                uint256(uint160(p.stablecoin)) |
                    (uint256(p.rules.allowedClasses) << RULES_SHIFT) |
                    (uint256(p.rules.minHoldingPeriod) << (RULES_SHIFT + TransferRules.RULES_PERIOD_SHIFT)) |
                    (uint256(p.rules.maxHolders) << (RULES_SHIFT + TransferRules.RULES_MAX_HOLDERS_SHIFT)),
                uint256(uint160(p.registry)) | (uint256(SafeCast.toUint96(p.rules.minHolding)) << RULES_SHIFT),
                p.name,
                p.symbol,
                p.rules.blockedCountries,
                uint256(uint160(p.distributor)) | (p.distributor != p.deal ? 1 << DEAL_PAYS_SHIFT : 0)
            );
    }

    function deal() internal view returns (address) {
        return address(uint160(CloneArgs.word(DEAL_WORD)));
    }

    /// @notice The deal and the tranche's index in it, from one word.
    function dealAndIndex() internal view returns (address deal_, uint256 index) {
        uint256 w = CloneArgs.word(DEAL_WORD);
        deal_ = address(uint160(w));
        index = uint8(w >> TRANCHE_INDEX_SHIFT);
    }

    function trancheIndex() internal view returns (uint8) {
        return uint8(CloneArgs.word(DEAL_WORD) >> TRANCHE_INDEX_SHIFT);
    }

    function decimals() internal view returns (uint8) {
        return uint8(CloneArgs.word(DEAL_WORD) >> DECIMALS_SHIFT);
    }

    function stablecoin() internal view returns (address) {
        return address(uint160(CloneArgs.word(STABLECOIN_WORD)));
    }

    function registry() internal view returns (address) {
        return address(uint160(CloneArgs.word(REGISTRY_WORD)));
    }

    function name() internal view returns (ShortString) {
        return ShortString.wrap(bytes32(CloneArgs.word(NAME_WORD)));
    }

    function symbol() internal view returns (ShortString) {
        return ShortString.wrap(bytes32(CloneArgs.word(SYMBOL_WORD)));
    }

    function distributor() internal view returns (address) {
        return address(uint160(CloneArgs.word(DISTRIBUTOR_WORD)));
    }

    /// @notice What a compliance check reads: the registry, the packed rules ({TransferRules.pack}), the
    /// blocked-countries bitmap and the stablecoin, with one EXTCODECOPY of words 1 – 8 into fresh memory
    /// ({CloneArgs.words}); the bitmap is words 5 – 8 of that copy, used in place.
    /// @dev The transfer path's read: keep it one copy, inlined.
    function compliance()
        internal
        view
        returns (address registry_, uint256 rules, uint256[4] memory blocked, address stablecoin_)
    {
        uint256 buffer = CloneArgs.words(STABLECOIN_WORD, 0x100);
        uint256 w1;
        uint256 w2;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w1 := mload(buffer)
            w2 := mload(add(buffer, 0x20))
            blocked := add(buffer, 0x80)
        }
        registry_ = address(uint160(w2));
        stablecoin_ = address(uint160(w1));
        rules = (w1 >> RULES_SHIFT) | ((w2 >> RULES_SHIFT) << TransferRules.RULES_MIN_HOLDING_SHIFT);
    }

    /// @notice {compliance} and, from the same copy (one word longer), who pays the holders' claims: the deal when it
    /// holds the class's cash (a class of an equity waterfall), zero when the token holds its own.
    /// @dev The claim path's read: one copy, as {compliance}'s; the deal's word is read only for a class it pays.
    function claimTerms()
        internal
        view
        returns (address registry_, uint256 rules, uint256[4] memory blocked, address stablecoin_, address payer)
    {
        uint256 buffer = CloneArgs.words(STABLECOIN_WORD, 0x120);
        uint256 w1;
        uint256 w2;
        uint256 w9;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w1 := mload(buffer)
            w2 := mload(add(buffer, 0x20))
            blocked := add(buffer, 0x80)
            w9 := mload(add(buffer, 0x100))
        }
        registry_ = address(uint160(w2));
        stablecoin_ = address(uint160(w1));
        rules = (w1 >> RULES_SHIFT) | ((w2 >> RULES_SHIFT) << TransferRules.RULES_MIN_HOLDING_SHIFT);
        if (w9 >> DEAL_PAYS_SHIFT != 0) payer = deal();
    }

    /// @notice Every parameter, from one copy of the ten words.
    function params() internal view returns (ITrancheTokenBase.Params memory p) {
        uint256 w = CloneArgs.words(0, WORDS * 32);
        uint256 w0 = _at(w, 0);
        uint256 w1 = _at(w, 1);
        uint256 w2 = _at(w, 2);
        p.deal = address(uint160(w0));
        p.trancheIndex = uint8(w0 >> TRANCHE_INDEX_SHIFT);
        p.decimals = uint8(w0 >> DECIMALS_SHIFT);
        p.stablecoin = address(uint160(w1));
        p.rules.allowedClasses = uint16(w1 >> RULES_SHIFT);
        p.rules.minHoldingPeriod = uint32(w1 >> (RULES_SHIFT + TransferRules.RULES_PERIOD_SHIFT));
        p.rules.maxHolders = uint32(w1 >> (RULES_SHIFT + TransferRules.RULES_MAX_HOLDERS_SHIFT));
        p.registry = address(uint160(w2));
        p.rules.minHolding = uint128(w2 >> RULES_SHIFT);
        p.name = bytes32(_at(w, 3));
        p.symbol = bytes32(_at(w, 4));
        for (uint256 i; i < 4; ++i) {
            p.rules.blockedCountries[i] = _at(w, 5 + i);
        }
        p.distributor = address(uint160(_at(w, 9)));
    }

    /// @dev Word `i` of a copy of the words at memory `ptr`.
    function _at(uint256 ptr, uint256 i) private pure returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := mload(add(ptr, shl(5, i)))
        }
    }
}
