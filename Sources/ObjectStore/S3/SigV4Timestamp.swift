import Foundation

/// A signing time in the two UTC forms SigV4 uses: `20150830T123600Z` and `20150830`.
///
/// Computed arithmetically (no formatter, calendar or locale), to the whole second below.
struct SigV4Timestamp: Sendable, Hashable {
    /// `yyyyMMdd'T'HHmmss'Z'`, the value of `x-amz-date` and `X-Amz-Date`.
    let dateTime: String
    /// `yyyyMMdd`, the first element of the credential scope.
    let day: String

    /// The latest second SigV4 can write (9999-12-31T23:59:59Z); later dates are clamped to it,
    /// and dates before 1970 to 1970.
    private static let latestSecond: Double = 253_402_300_799

    init(_ date: Date) {
        let seconds = Int64(min(max(date.timeIntervalSince1970, 0), Self.latestSecond).rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, dayOfMonth) = Self.civilDate(daysSince1970: days)
        day = Self.digits(year, 4) + Self.digits(month, 2) + Self.digits(dayOfMonth, 2)
        dateTime = day + "T" + Self.digits(secondOfDay / 3600, 2) + Self.digits(secondOfDay % 3600 / 60, 2)
            + Self.digits(secondOfDay % 60, 2) + "Z"
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`,
    /// for non-negative `days`).
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func digits(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
