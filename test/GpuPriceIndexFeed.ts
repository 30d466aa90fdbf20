import { expect } from "chai";
import { network } from "hardhat";

import { DAY } from "./helpers/fixtures.js";
import { INDEX_DECIMALS } from "./helpers/risk-fixtures.js";

const { ethers, networkHelpers } = await network.create();

async function feedFixture() {
  const [admin, publisher, outsider] = await ethers.getSigners();
  const feed = await ethers.deployContract("GpuPriceIndexFeed", [
    admin.address,
    publisher.address,
    INDEX_DECIMALS,
    "H100 rental $/GPU-hour",
  ]);
  return { feed, admin, publisher, outsider, PUBLISHER_ROLE: await feed.PUBLISHER_ROLE() };
}

/** The feed with two rounds: $2.10 observed a day ago, then $1.95 observed now. */
async function publishedFixture() {
  const f = await feedFixture();
  const now = BigInt(await networkHelpers.time.latest());
  await f.feed.connect(f.publisher).publish(210_000_000n, now - DAY);
  const second = BigInt(await networkHelpers.time.latest()) + 1n;
  await networkHelpers.time.setNextBlockTimestamp(second);
  await f.feed.connect(f.publisher).publish(195_000_000n, second);
  return { ...f, first: now - DAY, second };
}

describe("GpuPriceIndexFeed", function () {
  it("test_constructor_setsRolesAndMetadata", async function () {
    const { feed, admin, publisher, outsider, PUBLISHER_ROLE } =
      await networkHelpers.loadFixture(feedFixture);
    expect(PUBLISHER_ROLE).to.equal(ethers.keccak256(ethers.toUtf8Bytes("cascade.role.publisher")));
    expect(await feed.hasRole(await feed.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
    expect(await feed.hasRole(PUBLISHER_ROLE, publisher.address)).to.equal(true);
    expect(await feed.hasRole(PUBLISHER_ROLE, outsider.address)).to.equal(false);
    expect(await feed.decimals()).to.equal(BigInt(INDEX_DECIMALS));
    expect(await feed.description()).to.equal("H100 rental $/GPU-hour");
    expect(await feed.version()).to.equal(1n);
  });

  it("test_publish_recordsRoundsAndEmits", async function () {
    const { feed, publisher } = await networkHelpers.loadFixture(feedFixture);
    const now = BigInt(await networkHelpers.time.latest());
    expect(await feed.connect(publisher).publish.staticCall(200_000_000n, now - 60n)).to.equal(1n);
    await expect(feed.connect(publisher).publish(200_000_000n, now - 60n))
      .to.emit(feed, "AnswerPublished")
      .withArgs(1n, 200_000_000n, now - 60n);
    expect(await feed.latestRoundData()).to.deep.equal([
      1n,
      200_000_000n,
      now - 60n,
      now - 60n,
      1n,
    ]);
    // A round observed at the same time as the latest one is accepted.
    await expect(feed.connect(publisher).publish(190_000_000n, now - 60n))
      .to.emit(feed, "AnswerPublished")
      .withArgs(2n, 190_000_000n, now - 60n);
    expect(await feed.latestRoundData()).to.deep.equal([
      2n,
      190_000_000n,
      now - 60n,
      now - 60n,
      2n,
    ]);
    expect(await feed.getRoundData(1n)).to.deep.equal([1n, 200_000_000n, now - 60n, now - 60n, 1n]);
  });

  it("test_publish_acceptsAnObservationMadeInTheSameBlock", async function () {
    const { feed, publisher } = await networkHelpers.loadFixture(feedFixture);
    const at = BigInt(await networkHelpers.time.latest()) + 10n;
    await networkHelpers.time.setNextBlockTimestamp(at);
    await expect(feed.connect(publisher).publish(1n, at))
      .to.emit(feed, "AnswerPublished")
      .withArgs(1n, 1n, at);
  });

  it("test_publish_revertsOnANonPositiveAnswer", async function () {
    const { feed, publisher } = await networkHelpers.loadFixture(publishedFixture);
    const now = BigInt(await networkHelpers.time.latest());
    for (const answer of [0n, -1n, -(2n ** 255n)]) {
      await expect(feed.connect(publisher).publish(answer, now))
        .to.be.revertedWithCustomError(feed, "NonPositiveAnswer")
        .withArgs(answer);
    }
    expect((await feed.latestRoundData())[0]).to.equal(2n);
  });

  it("test_publish_revertsOnAnObservationFromTheFuture", async function () {
    const { feed, publisher, second } = await networkHelpers.loadFixture(publishedFixture);
    const at = BigInt(await networkHelpers.time.latest()) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(at);
    await expect(feed.connect(publisher).publish(200_000_000n, at + 1n))
      .to.be.revertedWithCustomError(feed, "InvalidObservationTime")
      .withArgs(at + 1n, second);
    expect(await feed.latestRoundData()).to.deep.equal([2n, 195_000_000n, second, second, 2n]);
  });

  it("test_publish_revertsOnAZeroObservationTime", async function () {
    const { feed, publisher } = await networkHelpers.loadFixture(feedFixture);
    // A round observed at time zero would be indistinguishable from a missing one (NoSuchRound).
    await expect(feed.connect(publisher).publish(200_000_000n, 0n))
      .to.be.revertedWithCustomError(feed, "InvalidObservationTime")
      .withArgs(0n, 0n);
    await expect(feed.latestRoundData())
      .to.be.revertedWithCustomError(feed, "NoSuchRound")
      .withArgs(0n);
  });

  it("test_publish_revertsOnAnObservationOlderThanTheLatest", async function () {
    const { feed, publisher, second } = await networkHelpers.loadFixture(publishedFixture);
    await expect(feed.connect(publisher).publish(200_000_000n, second - 1n))
      .to.be.revertedWithCustomError(feed, "InvalidObservationTime")
      .withArgs(second - 1n, second);
    expect(await feed.latestRoundData()).to.deep.equal([2n, 195_000_000n, second, second, 2n]);
  });

  it("test_publish_revertsForANonPublisher", async function () {
    const { feed, admin, outsider, PUBLISHER_ROLE } =
      await networkHelpers.loadFixture(publishedFixture);
    const now = BigInt(await networkHelpers.time.latest());
    for (const caller of [outsider, admin]) {
      await expect(feed.connect(caller).publish(200_000_000n, now))
        .to.be.revertedWithCustomError(feed, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, PUBLISHER_ROLE);
    }
    expect((await feed.latestRoundData())[0]).to.equal(2n);
  });

  it("test_grantRole_onlyTheAdminAddsAPublisher", async function () {
    const { feed, admin, outsider, publisher, PUBLISHER_ROLE } =
      await networkHelpers.loadFixture(feedFixture);
    await expect(feed.connect(publisher).grantRole(PUBLISHER_ROLE, outsider.address))
      .to.be.revertedWithCustomError(feed, "AccessControlUnauthorizedAccount")
      .withArgs(publisher.address, await feed.DEFAULT_ADMIN_ROLE());
    await feed.connect(admin).grantRole(PUBLISHER_ROLE, outsider.address);
    const now = BigInt(await networkHelpers.time.latest());
    await expect(feed.connect(outsider).publish(5n, now))
      .to.emit(feed, "AnswerPublished")
      .withArgs(1n, 5n, now);
  });

  it("test_getRoundData_revertsForAnUnknownRound", async function () {
    const { feed } = await networkHelpers.loadFixture(publishedFixture);
    for (const id of [0n, 3n, 2n ** 80n - 1n]) {
      await expect(feed.getRoundData(id))
        .to.be.revertedWithCustomError(feed, "NoSuchRound")
        .withArgs(id);
    }
  });

  it("test_latestRoundData_revertsBeforeTheFirstRound", async function () {
    const { feed } = await networkHelpers.loadFixture(feedFixture);
    await expect(feed.latestRoundData())
      .to.be.revertedWithCustomError(feed, "NoSuchRound")
      .withArgs(0n);
  });

  it("test_getRoundData_returnsEachPublishedRound", async function () {
    const { feed, first, second } = await networkHelpers.loadFixture(publishedFixture);
    expect(await feed.getRoundData(1n)).to.deep.equal([1n, 210_000_000n, first, first, 1n]);
    expect(await feed.getRoundData(2n)).to.deep.equal([2n, 195_000_000n, second, second, 2n]);
  });
});
