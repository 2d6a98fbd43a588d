using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Time
{
    /// <summary>
    /// The time of day: the CMOS real-time clock read once at boot (UTC, as QEMU and Linux keep it), then the
    /// TSC's uptime added, in nanoseconds since 1970-01-01. settimeofday moves the base. Read before any driver
    /// may own the CMOS ports. Once the time page exists (TimeDataPage), the base lives there only, where the vDSO reads
    /// the same clock without a system call.
    /// </summary>
    public static class WallClock
    {
        private const ushort IndexPort = 0x70, DataPort = 0x71;
        private static long s_bootNanoseconds;   // the wall time at uptime zero, until the time page holds it

        /// <summary>Nanoseconds since the Unix epoch, now.</summary>
        public static long NowNanoseconds => BootNanoseconds + (long)SystemClock.UptimeNanoseconds;

        /// <summary>The wall clock at uptime zero, in nanoseconds since the Unix epoch.</summary>
        public static long BootNanoseconds => TimeDataPage.IsReady ? TimeDataPage.WallAtBoot : s_bootNanoseconds;

        /// <summary>Sets the time of day (settimeofday, clock_settime of CLOCK_REALTIME).</summary>
        public static void Set(long nanosecondsSinceEpoch)
        {
            long atBoot = nanosecondsSinceEpoch - (long)SystemClock.UptimeNanoseconds;
            if (TimeDataPage.IsReady)
                TimeDataPage.SetWallAtBoot(atBoot);
            else
                s_bootNanoseconds = atBoot;
        }

        /// <summary>Reads the RTC (after SystemClock's calibration); a clock that reads garbage leaves 1970.</summary>
        public static void Initialize()
        {
            // Wait out an update in progress, then read until two reads agree (the RTC ticks while we read).
            int second, minute, hour, day, month, year, statusB;
            int attempts = 0;
            do
            {
                for (int spin = 0; spin < 100000 && (Read(0x0A) & 0x80) != 0; spin++)
                    Cpu.Pause();
                second = Read(0x00); minute = Read(0x02); hour = Read(0x04);
                day = Read(0x07); month = Read(0x08); year = Read(0x09);
            } while ((second != Read(0x00) || minute != Read(0x02)) && ++attempts < 5);
            statusB = Read(0x0B);
            if ((statusB & 0x04) == 0)   // binary-coded decimal
            {
                second = FromBcd(second); minute = FromBcd(minute); hour = FromBcd(hour & 0x7F) | (hour & 0x80);
                day = FromBcd(day); month = FromBcd(month); year = FromBcd(year);
            }
            if ((statusB & 0x02) == 0 && (hour & 0x80) != 0)   // 12-hour clock, PM
                hour = ((hour & 0x7F) + 12) % 24;
            year += 2000;
            if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
                return;
            long days = DaysSinceEpoch(year, month, day);
            long seconds = ((days * 24 + hour) * 60 + minute) * 60 + second;
            s_bootNanoseconds = seconds * 1_000_000_000 - (long)SystemClock.UptimeNanoseconds;
        }

        private static int Read(int register)
        {
            Cpu.OutByte(IndexPort, (byte)register);
            return Cpu.InByte(DataPort);
        }

        private static int FromBcd(int value) => (value & 0x0F) + (value >> 4) * 10;

        // Days from 1970-01-01 to the given date (proleptic Gregorian), by the days-from-civil method.
        public static long DaysSinceEpoch(int year, int month, int day)
        {
            if (month <= 2)
                year--;
            long era = (year >= 0 ? year : year - 399) / 400;
            long yearOfEra = year - era * 400;
            long dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
            long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
            return era * 146097 + dayOfEra - 719468;
        }
    }
}
