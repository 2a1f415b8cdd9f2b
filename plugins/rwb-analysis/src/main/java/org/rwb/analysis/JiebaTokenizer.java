package org.rwb.analysis;

import com.huaban.analysis.jieba.JiebaSegmenter;
import com.huaban.analysis.jieba.SegToken;
import java.io.IOException;
import java.util.Iterator;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

/**
 * Chinese word segmentation with jieba (its bundled 350k-word dictionary, HMM for unknown words) in
 * SEARCH mode: one segmentation, no overlapping sub-words, so positions stay usable for phrase and
 * proximity queries. jieba folds full-width forms and lowercases Latin text; tokens that hold no
 * letter or digit (spaces, punctuation) are dropped. Product titles are short, so the field value is
 * read whole and segmented at once.
 */
final class JiebaTokenizer extends Tokenizer {
    private static final JiebaSegmenter SEGMENTER = new JiebaSegmenter();

    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
    private Iterator<SegToken> pending;
    private int length;

    @Override
    public boolean incrementToken() throws IOException {
        if (pending == null) pending = segmentInput();
        while (pending.hasNext()) {
            SegToken token = pending.next();
            if (!hasLetterOrDigit(token.word)) continue;
            clearAttributes();
            term.append(token.word);
            offset.setOffset(correctOffset(token.startOffset), correctOffset(token.endOffset));
            return true;
        }
        return false;
    }

    private Iterator<SegToken> segmentInput() throws IOException {
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[1024];
        for (int n = input.read(buffer); n != -1; n = input.read(buffer)) text.append(buffer, 0, n);
        length = text.length();
        return SEGMENTER.process(text.toString(), JiebaSegmenter.SegMode.SEARCH).iterator();
    }

    private static boolean hasLetterOrDigit(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (Character.isLetterOrDigit(word.charAt(i))) return true;
        }
        return false;
    }

    @Override
    public void end() throws IOException {
        super.end();
        int end = correctOffset(length);
        offset.setOffset(end, end);
    }

    @Override
    public void reset() throws IOException {
        super.reset();
        pending = null;
        length = 0;
    }
}
