// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {CapacityUnit, DealStatus, PriceFeedTerms, TermSheet, TrancheTerms} from "../interfaces/ICascadeTypes.sol";
import {IDeal} from "../interfaces/IDeal.sol";
import {IDealFactory} from "../interfaces/IDealFactory.sol";
import {IOffering} from "../interfaces/IOffering.sol";
import {ITrancheTokenBase} from "../interfaces/ITrancheToken.sol";
import {IUtilizationOracle} from "../interfaces/IUtilizationOracle.sol";
import {CreateAddress} from "../libraries/CreateAddress.sol";
import {DealArgs} from "../libraries/DealArgs.sol";
import {EquityWaterfallArgs} from "../libraries/EquityWaterfallArgs.sol";
import {OfferingArgs} from "../libraries/OfferingArgs.sol";
import {PeriodSchedule} from "../libraries/PeriodSchedule.sol";
import {PriceFeedReader} from "../libraries/PriceFeedReader.sol";
import {RiskEngineArgs} from "../libraries/RiskEngineArgs.sol";
import {TrancheTokenArgs} from "../libraries/TrancheTokenArgs.sol";
import {TermSheetLib} from "../libraries/TermSheetLib.sol";

/// @title DealFactory
/// @notice See {IDealFactory}. A deal is created by its issuer, or by anyone with the issuer's signed consent; each
/// deal is isolated and carries its own roles. Investors should only trust deals for which {isDeal} is true.
contract DealFactory is IDealFactory, EIP712, Nonces {
    /// @inheritdoc IDealFactory
    bytes32 public constant CREATE_DEAL_TYPEHASH = keccak256(
        "CreateDeal(bytes32 termsHash,uint256 nonce,uint256 deadline)"
    );

    address private immutable DEAL_IMPLEMENTATION;
    address private immutable TOKEN_IMPLEMENTATION;
    address private immutable OFFERING_IMPLEMENTATION;
    address private immutable RISK_ENGINE_IMPLEMENTATION;
    address private immutable EQUITY_WATERFALL_IMPLEMENTATION;
    IUtilizationOracle private immutable ORACLE;

    /// @dev Number of deals created, and this factory's account nonce: the next contract it creates (with CREATE)
    /// gets the address `CreateAddress.compute(address(this), _nonce)`. A contract account starts at nonce 1.
    uint64 private _dealCount;
    uint64 private _nonce = 1;
    mapping(uint256 id => address deal) private _deals;
    mapping(address deal => bool) private _isDeal;

    constructor(
        address dealImpl,
        address tokenImpl,
        address offeringImpl,
        address riskImpl,
        address waterfallImpl,
        address oracle_
    ) EIP712("Cascade Deal Factory", "1") {
        if (
            dealImpl == address(0) ||
            tokenImpl == address(0) ||
            offeringImpl == address(0) ||
            riskImpl == address(0) ||
            waterfallImpl == address(0) ||
            oracle_ == address(0)
        ) {
            revert ZeroAddress();
        }
        DEAL_IMPLEMENTATION = dealImpl;
        TOKEN_IMPLEMENTATION = tokenImpl;
        OFFERING_IMPLEMENTATION = offeringImpl;
        RISK_ENGINE_IMPLEMENTATION = riskImpl;
        EQUITY_WATERFALL_IMPLEMENTATION = waterfallImpl;
        ORACLE = IUtilizationOracle(oracle_);
    }

    /// @inheritdoc IDealFactory
    function createDeal(TermSheet calldata terms) external returns (address deal) {
        if (msg.sender != terms.issuer) revert IssuerConsentRequired(terms.issuer, msg.sender);
        // The term sheet is the call's calldata: its hash is keccak256(abi.encode(terms)) without re-encoding it.
        return _createDeal(terms, keccak256(msg.data[4:]));
    }

    /// @inheritdoc IDealFactory
    function createDealWithConsent(
        TermSheet calldata terms,
        uint256 deadline,
        bytes calldata signature
    ) external returns (address deal) {
        // Re-encoded rather than hashed from the calldata: the signed hash then binds the decoded terms whatever the
        // calldata's layout.
        bytes32 termsHash = keccak256(abi.encode(terms));
        address issuer = terms.issuer;
        if (block.timestamp > deadline) revert ConsentExpired(deadline);
        uint256 nonce = _useNonce(issuer);
        if (!SignatureChecker.isValidSignatureNow(issuer, hashCreateDeal(termsHash, nonce, deadline), signature)) {
            revert InvalidIssuerSignature(issuer);
        }
        emit IssuerConsentUsed(issuer, nonce, termsHash);
        return _createDeal(terms, termsHash);
    }

    /// @dev Validates `terms` and creates the deal, its tokens, offerings and risk engine; `termsHash` is what
    /// {DealCreated} commits to.
    function _createDeal(TermSheet calldata terms, bytes32 termsHash) private returns (address deal) {
        if (terms.stablecoin.code.length == 0) revert IDeal.InvalidTermSheet(IDeal.TermSheetField.Stablecoin, 0);
        uint8 decimals = IERC20Metadata(terms.stablecoin).decimals();
        uint256 notes = TermSheetLib.validate(terms, decimals, block.timestamp);
        _checkPriceFeed(terms.risk.priceFeed);
        _checkSite(terms);

        // The registry must be a contract: every transfer of the deal's tokens asks it about both wallets.
        if (terms.registry != address(0) && terms.registry.code.length == 0) {
            revert IDeal.InvalidTermSheet(IDeal.TermSheetField.Registry, 0);
        }

        uint256 count = terms.tranches.length;
        // The deal carries its terms and the addresses of its tokens, offerings and risk engine in its clone's code,
        // and they carry the deal's address in theirs: every address is known before anything is created, from
        // this factory's nonce (the deal first, then a token and an offering per tranche, then the risk engine).
        uint256 nonce = _nonce;
        address[] memory tokens = new address[](count);
        address[] memory offerings = new address[](count);
        for (uint256 i; i < count; ++i) {
            tokens[i] = CreateAddress.compute(address(this), nonce + 1 + 2 * i);
            offerings[i] = CreateAddress.compute(address(this), nonce + 2 + 2 * i);
        }
        address risk = CreateAddress.compute(address(this), nonce + 1 + 2 * count);
        // Several equity classes: their waterfall, created last, takes the residual and pays them.
        address equity =
            terms.equity.tiers.length != 0
                ? CreateAddress.compute(address(this), nonce + 2 + 2 * count)
                : tokens[notes];
        deal = Clones.cloneWithImmutableArgs(
            DEAL_IMPLEMENTATION,
            DealArgs.encode(terms, address(ORACLE), risk, tokens, offerings, notes, equity)
        );
        if (deal != CreateAddress.compute(address(this), nonce)) revert UnexpectedAddress(deal);
        // Tokens and offerings carry their parameters in their clones' code: creating them writes no storage. The
        // equity classes of a deal with a waterfall take their distributions from it.
        _createTranches(terms, deal, decimals, notes, equity == tokens[notes] ? deal : equity, tokens, offerings);
        // The risk engine carries its configuration and triggers in its clone's code.
        // The last creation landing where predicted proves every earlier one did (the nonce rises by one each).
        {
            address created = Clones.cloneWithImmutableArgs(RISK_ENGINE_IMPLEMENTATION, _riskEngineArgs(deal, terms));
            if (created != risk) revert UnexpectedAddress(created);
        }
        if (equity != tokens[notes]) {
            _createWaterfall(terms, deal, equity, notes, tokens);
            ++nonce;
        }
        _nonce = uint64(nonce + 2 + 2 * count);
        IDeal(deal).initialize(terms.guardian, terms.risk.fleet);
        ORACLE.registerDeal(deal, terms.oracle);
        // The site takes rent only from the tenants this factory registers with it.
        if (terms.site.site != address(0)) IDeal(terms.site.site).registerTenant(deal);

        _record(terms, deal, tokens, offerings, termsHash);
        if (equity != tokens[notes]) emit EquityWaterfallCreated(deal, equity);
    }

    /// @dev Lists `deal` and emits {DealCreated}.
    function _record(
        TermSheet calldata terms,
        address deal,
        address[] memory tokens,
        address[] memory offerings,
        bytes32 termsHash
    ) private {
        uint256 dealId = _dealCount;
        _dealCount = uint64(dealId + 1);
        _deals[dealId] = deal;
        _isDeal[deal] = true;
        // The term sheet itself is the call's calldata; the event commits to it.
        emit DealCreated(dealId, deal, terms.issuer, terms.stablecoin, tokens, offerings, termsHash);
    }

    /// @dev The token and the offering of every tranche, at the addresses `tokens` and `offerings` hold (which the
    /// created addresses replace). The notes' tokens take distributions from the deal, the equity classes' from
    /// `equityDistributor` (the deal, or its equity waterfall).
    function _createTranches(
        TermSheet calldata terms,
        address deal,
        uint8 decimals,
        uint256 notes,
        address equityDistributor,
        address[] memory tokens,
        address[] memory offerings
    ) private {
        uint256 count = terms.tranches.length;
        for (uint256 i; i < count; ++i) {
            TrancheTerms calldata tr = terms.tranches[i];
            tokens[i] = Clones.cloneWithImmutableArgs(
                TOKEN_IMPLEMENTATION,
                TrancheTokenArgs.encode(
                    ITrancheTokenBase.Params({
                        deal: deal,
                        stablecoin: terms.stablecoin,
                        trancheIndex: uint8(i),
                        decimals: decimals,
                        name: ShortString.unwrap(ShortStrings.toShortString(tr.name)),
                        symbol: ShortString.unwrap(ShortStrings.toShortString(tr.symbol)),
                        registry: terms.registry,
                        rules: tr.transfer,
                        distributor: i < notes ? deal : equityDistributor
                    })
                )
            );
            offerings[i] = Clones.cloneWithImmutableArgs(
                OFFERING_IMPLEMENTATION,
                OfferingArgs.encode(
                    IOffering.Config({
                        deal: deal,
                        asset: terms.stablecoin,
                        proceedsReceiver: terms.issuer,
                        trancheIndex: uint8(i),
                        opensAt: terms.offeringOpensAt,
                        closesAt: terms.offeringClosesAt,
                        cap: tr.faceAmount,
                        minRaise: tr.minRaise,
                        minTicket: tr.minTicket,
                        reserveFundingBps: tr.reserveFundingBps
                    })
                )
            );
        }
    }

    /// @dev The equity waterfall of `deal`, at `expected`: its arguments name the deal, the equity classes' tokens (the
    /// tranches after the `notes` notes) and the tiers.
    function _createWaterfall(
        TermSheet calldata terms,
        address deal,
        address expected,
        uint256 notes,
        address[] memory tokens
    ) private {
        address created = Clones.cloneWithImmutableArgs(
            EQUITY_WATERFALL_IMPLEMENTATION,
            EquityWaterfallArgs.encode(
                deal,
                terms.stablecoin,
                terms.start,
                terms.periodLength,
                terms.equity,
                tokens,
                notes
            )
        );
        if (created != expected) revert UnexpectedAddress(created);
    }

    /// @dev The risk engine's clone arguments: its terms and the deal's capacity in a period (the Occupancy covenant's
    /// denominator, as the oracle bounds capacity available).
    function _riskEngineArgs(address deal, TermSheet calldata terms) private pure returns (bytes memory) {
        return
            RiskEngineArgs.encode(
                deal,
                terms.risk,
                PeriodSchedule.capacityOf(terms.oracle.fleetGpus, terms.periodLength)
            );
    }

    /// @dev A price feed, if any, must be a contract answering, within the gas and in the form the risk engine reads
    /// it with ({PriceFeedReader}), `decimals()` with the decimals the fleet's index levels are quoted in and
    /// `latestRoundData()` with a well-formed answer (of any value or age: the engine judges each answer when it
    /// reads it). The feed is fixed for the deal's life.
    function _checkPriceFeed(PriceFeedTerms calldata priceFeed) private view {
        address feed = priceFeed.feed;
        if (feed == address(0)) return;
        if (feed.code.length == 0) revert IDeal.InvalidTermSheet(IDeal.TermSheetField.PriceFeed, 0);
        (PriceFeedReader.Outcome outcome, uint8 d) = PriceFeedReader.decimals(feed);
        if (outcome != PriceFeedReader.Outcome.Answered || d != priceFeed.decimals) {
            revert IDeal.InvalidTermSheet(IDeal.TermSheetField.PriceFeed, 0);
        }
        (outcome, , ) = PriceFeedReader.latestRoundData(feed);
        if (outcome != PriceFeedReader.Outcome.Answered)
            revert IDeal.InvalidTermSheet(IDeal.TermSheetField.PriceFeed, 0);
    }

    /// @dev A tenant's site must be a deal of this factory, in the same stablecoin, a data-center project (its capacity
    /// counted in kilowatt-hours of IT load) that has not ended (Repaid, Defaulted or Cancelled).
    function _checkSite(TermSheet calldata terms) private view {
        address site = terms.site.site;
        if (site == address(0)) return;
        if (
            !_isDeal[site] ||
            IDeal(site).stablecoin() != terms.stablecoin ||
            ORACLE.terms(site).unit != CapacityUnit.KilowattHours ||
            IDeal(site).status() >= DealStatus.Repaid
        ) revert IDeal.InvalidTermSheet(IDeal.TermSheetField.Site, 0);
    }

    /// @inheritdoc IDealFactory
    function hashCreateDeal(bytes32 termsHash, uint256 nonce, uint256 deadline) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CREATE_DEAL_TYPEHASH, termsHash, nonce, deadline)));
    }

    /// @inheritdoc IDealFactory
    function nonces(address issuer) public view override(IDealFactory, Nonces) returns (uint256) {
        return super.nonces(issuer);
    }

    /// @inheritdoc IDealFactory
    function dealCount() external view returns (uint256) {
        return _dealCount;
    }

    /// @inheritdoc IDealFactory
    function dealAt(uint256 index) external view returns (address) {
        if (index >= _dealCount) revert UnknownDeal(index);
        return _deals[index];
    }

    /// @inheritdoc IDealFactory
    function deals() external view returns (address[] memory list) {
        list = new address[](_dealCount);
        for (uint256 i; i < list.length; ++i) list[i] = _deals[i];
    }

    /// @inheritdoc IDealFactory
    function isDeal(address deal) external view returns (bool) {
        return _isDeal[deal];
    }

    /// @inheritdoc IDealFactory
    function dealImplementation() external view returns (address) {
        return DEAL_IMPLEMENTATION;
    }

    /// @inheritdoc IDealFactory
    function tokenImplementation() external view returns (address) {
        return TOKEN_IMPLEMENTATION;
    }

    /// @inheritdoc IDealFactory
    function offeringImplementation() external view returns (address) {
        return OFFERING_IMPLEMENTATION;
    }

    /// @inheritdoc IDealFactory
    function riskEngineImplementation() external view returns (address) {
        return RISK_ENGINE_IMPLEMENTATION;
    }

    /// @inheritdoc IDealFactory
    function equityWaterfallImplementation() external view returns (address) {
        return EQUITY_WATERFALL_IMPLEMENTATION;
    }

    /// @inheritdoc IDealFactory
    function oracle() external view returns (address) {
        return address(ORACLE);
    }
}
