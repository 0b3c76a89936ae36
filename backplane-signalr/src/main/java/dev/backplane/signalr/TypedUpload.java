package dev.backplane.signalr;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.concurrent.Flow;

/** An upload stream seen with its item type: items are converted as the method takes them. */
final class TypedUpload {

    private final UploadStream<?> raw;
    private final ObjectMapper mapper;
    private final JavaType itemType;

    TypedUpload(UploadStream<?> raw, ObjectMapper mapper, JavaType itemType) {
        this.raw = raw;
        this.mapper = mapper;
        this.itemType = itemType;
    }

    private Object convert(Object item) {
        return mapper.convertValue(item, itemType);
    }

    /** The stream as the parameter's type: a Publisher or an Iterator. */
    Object as(Class<?> parameterType) {
        if (parameterType == Iterator.class) {
            return new Iterator<Object>() {
                @Override
                public boolean hasNext() {
                    return raw.hasNext();
                }

                @Override
                public Object next() {
                    return convert(raw.next());
                }
            };
        }
        return (Flow.Publisher<Object>) subscriber -> raw.subscribe(new Flow.Subscriber<Object>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(Object item) {
                subscriber.onNext(convert(item));
            }

            @Override
            public void onError(Throwable t) {
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
    }
}
