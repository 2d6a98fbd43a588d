namespace Exo.Kernel.Memory
{
    /// <summary>
    /// One bit per 4 KiB physical frame (1 = in use) over caller-provided storage. Allocation searches
    /// 64 frames at a time from a moving cursor. Freeing a frame that is not in use is reported, never ignored.
    /// </summary>
    public unsafe struct FrameBitmap
    {
        public const ulong FrameSize = 4096;

        private ulong* _words;
        private ulong _frameCount;
        private ulong _freeFrames;
        private ulong _cursor;      // word index where the next search starts

        public ulong FrameCount => _frameCount;
        public ulong FreeFrames => _freeFrames;

        /// <summary>Starts with every frame in use; <see cref="MarkFree"/> opens the usable ranges.</summary>
        public void Initialize(ulong* words, ulong frameCount)
        {
            _words = words;
            _frameCount = frameCount;
            ulong wordCount = WordsFor(frameCount);
            for (ulong i = 0; i < wordCount; i++)
                words[i] = ulong.MaxValue;
            _freeFrames = 0;
            _cursor = 0;
        }

        /// <summary>The same bits, reached at another virtual address (after a paging switch).</summary>
        public void MoveStorage(ulong* words) => _words = words;

        public static ulong WordsFor(ulong frameCount) => (frameCount + 63) / 64;

        public void MarkFree(ulong firstFrame, ulong count)
        {
            for (ulong frame = firstFrame; frame < firstFrame + count && frame < _frameCount; frame++)
            {
                ulong bit = 1UL << (int)(frame & 63);
                if ((_words[frame >> 6] & bit) != 0)
                {
                    _words[frame >> 6] &= ~bit;
                    _freeFrames++;
                }
            }
        }

        public void MarkUsed(ulong firstFrame, ulong count)
        {
            for (ulong frame = firstFrame; frame < firstFrame + count && frame < _frameCount; frame++)
            {
                ulong bit = 1UL << (int)(frame & 63);
                if ((_words[frame >> 6] & bit) == 0)
                {
                    _words[frame >> 6] |= bit;
                    _freeFrames--;
                }
            }
        }

        public bool IsFree(ulong frame) => frame < _frameCount && (_words[frame >> 6] & (1UL << (int)(frame & 63))) == 0;

        /// <summary>Returns a free frame's number, marking it used, or ulong.MaxValue when none is left.</summary>
        public ulong Allocate()
        {
            if (_freeFrames == 0)
                return ulong.MaxValue;
            ulong wordCount = WordsFor(_frameCount);
            for (ulong scanned = 0; scanned < wordCount; scanned++)
            {
                ulong index = _cursor;
                ulong word = _words[index];
                if (word != ulong.MaxValue)
                {
                    int bit = TrailingOnes(word);
                    ulong frame = index * 64 + (ulong)bit;
                    if (frame < _frameCount)
                    {
                        _words[index] = word | (1UL << bit);
                        _freeFrames--;
                        return frame;
                    }
                }
                _cursor = index + 1 == wordCount ? 0 : index + 1;
            }
            return ulong.MaxValue;
        }

        /// <summary>Allocates 'count' contiguous frames (aligned to 'alignment' frames); MaxValue on failure.</summary>
        public ulong AllocateContiguous(ulong count, ulong alignment)
        {
            if (count == 0 || count > _freeFrames)
                return ulong.MaxValue;
            if (alignment == 0)
                alignment = 1;
            ulong start = 0;
            while (start + count <= _frameCount)
            {
                ulong run = 0;
                while (run < count && IsFree(start + run))
                    run++;
                if (run == count)
                {
                    for (ulong frame = start; frame < start + count; frame++)
                        _words[frame >> 6] |= 1UL << (int)(frame & 63);
                    _freeFrames -= count;
                    return start;
                }
                start = (start + run + 1 + alignment - 1) / alignment * alignment;
            }
            return ulong.MaxValue;
        }

        /// <summary>Frees a frame; returns false (and changes nothing) if it was not in use.</summary>
        public bool Free(ulong frame)
        {
            if (frame >= _frameCount)
                return false;
            ulong bit = 1UL << (int)(frame & 63);
            if ((_words[frame >> 6] & bit) == 0)
                return false;
            _words[frame >> 6] &= ~bit;
            _freeFrames++;
            if ((frame >> 6) < _cursor)
                _cursor = frame >> 6;
            return true;
        }

        private static int TrailingOnes(ulong word)
        {
            int count = 0;
            while ((word & 1) != 0)
            {
                word >>= 1;
                count++;
            }
            return count;
        }
    }
}
